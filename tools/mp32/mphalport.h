// mp32 HAL: only stdout (main.c).  Defining the pin type keeps py/mphal.h
// from including extmod/virtpin.h, which the sdist lacks.
#define mp_hal_pin_obj_t void *
