// mp32: a 32-bit host build of MicroPython's py/ core configured like the
// rp2 port (ports/rp2/mpconfigport.h), to measure heap use of imports.
// Only py/ + shared/runtime/gchelper_generic.c: no extmod, no lib.

#include <stdint.h>
#include <alloca.h>
#include <errno.h> // py/reader.c (POSIX reader) uses errno

#if !defined(__i386__)
#error "mp32 must be compiled with gcc -m32 (i386)"
#endif

// --- As rp2 ---------------------------------------------------------------
#define MICROPY_CONFIG_ROM_LEVEL                (MICROPY_CONFIG_ROM_LEVEL_EXTRA_FEATURES)
#define MICROPY_OBJ_REPR                        (MICROPY_OBJ_REPR_A)   // default; explicit
#define MICROPY_BYTES_PER_GC_BLOCK              (16)                   // = 4 * 4-byte word
#define MICROPY_GC_STACK_ENTRY_TYPE             uint16_t
#define MICROPY_ALLOC_PATH_MAX                  (128)
#define MICROPY_QSTR_BYTES_IN_HASH              (1)
#define MICROPY_PERSISTENT_CODE_LOAD            (1)
#define MICROPY_OPT_COMPUTED_GOTO               (1)
#define MICROPY_ENABLE_GC                       (1)
#define MICROPY_STACK_CHECK_MARGIN              (256)
#define MICROPY_ENABLE_EMERGENCY_EXCEPTION_BUF  (1)
#define MICROPY_LONGINT_IMPL                    (MICROPY_LONGINT_IMPL_MPZ)
#define MICROPY_FLOAT_IMPL                      (MICROPY_FLOAT_IMPL_FLOAT)
#define MICROPY_SCHEDULER_DEPTH                 (8)
#define MICROPY_SCHEDULER_STATIC_NODES          (1)
#define MICROPY_USE_INTERNAL_ERRNO              (1)
#define MICROPY_EPOCH_IS_1970                   (1)
// ROM-level defaults that rp2 also gets (stated so they cannot drift):
#define MICROPY_ENABLE_COMPILER                 (1)
#define MICROPY_ENABLE_SOURCE_LINE              (1)
#define MICROPY_PY_SYS_SETTRACE                 (0)
#define MICROPY_QSTR_BYTES_IN_LEN               (1)

// --- Deviations from rp2 (see README.md) ----------------------------------
// Native emitter: rp2 has EMIT_THUMB (armv6m); here x86, so that .mpy files
// with native code (mpy-cross -march=x86) load.  Their machine code is put
// on the GC heap, as on rp2 (main.c maps the heap executable), so it is
// counted; x86 code is somewhat larger than the Thumb code a Pico loads.
#define MICROPY_EMIT_X86                        (1)
// rp2: MICROPY_READER_VFS (extmod); here: POSIX files via py/reader.c.
#define MICROPY_READER_POSIX                    (1)
#define MICROPY_READER_VFS                      (0)
#define MICROPY_VFS                             (0)
// rp2: _thread on (no GIL).  Off here (no thread port).
#define MICROPY_PY_THREAD                       (0)
#define MICROPY_PY_SYS_PLATFORM                 "mp32"
#define MICROPY_PY_SYS_STDFILES                 (0)    // needs shared stdio glue
#define MICROPY_PY_SYS_EXIT                     (1)
#define MICROPY_HELPER_REPL                     (0)
#define MICROPY_PY_BUILTINS_INPUT               (0)
#define MICROPY_PY_BUILTINS_HELP                (0)
#define MICROPY_REPL_EVENT_DRIVEN               (0)
#define MICROPY_KBD_EXCEPTION                   (0)
// extmod modules: not in the sdist.  Stubs in .py can stand in.
#define MICROPY_PY_OS                           (0)
#define MICROPY_PY_TIME                         (0)
#define MICROPY_PY_SELECT                       (0)
#define MICROPY_PY_MACHINE                      (0)
#define MICROPY_PY_ASYNCIO                      (0)
#define MICROPY_PY_JSON                         (0)
#define MICROPY_PY_RE                           (0)
#define MICROPY_PY_HEAPQ                        (0)
#define MICROPY_PY_BINASCII                     (0)
#define MICROPY_PY_RANDOM                       (0)
#define MICROPY_PY_HASHLIB                      (0)
#define MICROPY_PY_CRYPTOLIB                    (0)
#define MICROPY_PY_DEFLATE                      (0)
#define MICROPY_PY_FRAMEBUF                     (0)
#define MICROPY_PY_PLATFORM                     (0)
#define MICROPY_PY_UCTYPES                      (0)
#define MICROPY_PY_VFS                          (0)

#define MP_SSIZE_MAX (0x7fffffff)
typedef intptr_t mp_int_t;   // must be pointer size
typedef uintptr_t mp_uint_t; // must be pointer size
typedef long mp_off_t;

#define MP_STATE_PORT MP_STATE_VM
#define MICROPY_BANNER_MACHINE "mp32 (i386, rp2-like config)"
