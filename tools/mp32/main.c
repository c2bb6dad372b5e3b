// mp32: run one script (or -c CMD) in a 32-bit MicroPython heap.
// usage: micropython32 [-X heapsize=N[k|m]] (-c CMD | SCRIPT) [ARGS...]
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "py/builtin.h"
#include "py/compile.h"
#include "py/cstack.h"
#include "py/gc.h"
#include "py/lexer.h"
#include "py/mperrno.h"
#include "py/mphal.h"
#include "py/objexcept.h"
#include "py/runtime.h"
#include "shared/runtime/gchelper.h"

mp_uint_t mp_hal_stdout_tx_strn(const char *str, size_t len) {
    size_t n = fwrite(str, 1, len, stdout);
    fflush(stdout);
    return n;
}

void mp_hal_stdout_tx_strn_cooked(const char *str, size_t len) {
    mp_hal_stdout_tx_strn(str, len);
}

void gc_collect(void) {
    gc_collect_start();
    gc_helper_collect_regs_and_stack(); // callee-saved regs + C stack to stack_top
    gc_collect_end();
}

mp_import_stat_t mp_import_stat(const char *path) {
    struct stat st;
    if (stat(path, &st) == 0) {
        return S_ISDIR(st.st_mode) ? MP_IMPORT_STAT_DIR : MP_IMPORT_STAT_FILE;
    }
    return MP_IMPORT_STAT_NO_EXIST;
}

mp_obj_t mp_builtin_open(size_t n_args, const mp_obj_t *args, mp_map_t *kwargs) {
    mp_raise_OSError(MP_EOPNOTSUPP); // no file objects in mp32
}
MP_DEFINE_CONST_FUN_OBJ_KW(mp_builtin_open_obj, 1, mp_builtin_open);

void nlr_jump_fail(void *val) {
    fprintf(stderr, "FATAL: uncaught NLR %p\n", val);
    exit(1);
}

void NORETURN __fatal_error(const char *msg) {
    fprintf(stderr, "FATAL: %s\n", msg);
    exit(1);
}

#ifndef NDEBUG
void MP_WEAK __assert_func(const char *file, int line, const char *func, const char *expr) {
    fprintf(stderr, "Assertion '%s' failed, at file %s:%d\n", expr, file, line);
    __fatal_error("Assertion failed");
}
#endif

// Returns the process exit code.
static int execute(const char *src, const char *file) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_lexer_t *lex = file
            ? mp_lexer_new_from_file(qstr_from_str(file))
            : mp_lexer_new_from_str_len(MP_QSTR__lt_stdin_gt_, src, strlen(src), 0);
        if (file) {
            mp_store_global(MP_QSTR___file__, MP_OBJ_NEW_QSTR(lex->source_name));
        }
        mp_parse_compile_execute(lex, MP_PARSE_FILE_INPUT, mp_globals_get(), mp_locals_get());
        nlr_pop();
        return 0;
    }
    mp_obj_t exc = MP_OBJ_FROM_PTR(nlr.ret_val);
    if (mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(mp_obj_get_type(exc)),
        MP_OBJ_FROM_PTR(&mp_type_SystemExit))) {
        mp_obj_t val = mp_obj_exception_get_value(exc);
        if (val == mp_const_none) {
            return 0;
        }
        mp_int_t code;
        if (mp_obj_get_int_maybe(val, &code)) {
            return code & 0xff;
        }
        mp_obj_print_helper(&mp_plat_print, val, PRINT_STR);
        mp_print_str(&mp_plat_print, "\n");
        return 1;
    }
    mp_obj_print_exception(&mp_plat_print, exc);
    return 1;
}

int main(int argc, char **argv) {
    int stack_dummy;
    mp_cstack_init_with_top(&stack_dummy, 256 * 1024); // Linux stack >= 8 MiB

    size_t heap_size = 256 * 1024;
    int a = 1;
    for (; a < argc && argv[a][0] == '-' && strcmp(argv[a], "-c") != 0; a++) {
        if (strcmp(argv[a], "-X") == 0 && a + 1 < argc
            && strncmp(argv[a + 1], "heapsize=", 9) == 0) {
            char *end;
            heap_size = strtoul(argv[++a] + 9, &end, 0);
            if (*end == 'k' || *end == 'K') {
                heap_size *= 1024;
            } else if (*end == 'm' || *end == 'M') {
                heap_size *= 1024 * 1024;
            }
        } else {
            a = argc; // usage error
        }
    }
    int is_cmd = a + 1 < argc && strcmp(argv[a], "-c") == 0;
    if (a >= argc || (strcmp(argv[a], "-c") == 0 && !is_cmd)) {
        fprintf(stderr, "usage: %s [-X heapsize=N[k|m]] (-c CMD | SCRIPT) [ARGS...]\n", argv[0]);
        return 2;
    }

    // Executable, as RAM is on an RP2040: native code loaded from .mpy files
    // goes on the GC heap (and is counted there, as on rp2) and must run.
    char *heap = mmap(NULL, heap_size, PROT_READ | PROT_WRITE | PROT_EXEC,
        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (heap == MAP_FAILED) {
        perror("mmap heap");
        return 1;
    }
    gc_init(heap, heap + heap_size);
    mp_init(); // sys.path = [''], sys.argv = []

    const char *file = is_cmd ? NULL : argv[a];
    const char *cmd = is_cmd ? argv[a + 1] : NULL;
    if (is_cmd) {
        mp_obj_list_append(mp_sys_argv, mp_obj_new_str("-c", 2));
        a += 2;
    } else {
        // sys.path[0] = directory of the script, as CPython and unix port do.
        const char *slash = strrchr(file, '/');
        mp_obj_list_store(mp_sys_path, MP_OBJ_NEW_SMALL_INT(0),
            slash ? mp_obj_new_str(file, slash - file) : MP_OBJ_NEW_QSTR(MP_QSTR_));
    }
    for (; a < argc; a++) {
        mp_obj_list_append(mp_sys_argv, mp_obj_new_str(argv[a], strlen(argv[a])));
    }
    int ret = execute(cmd, file);
    mp_deinit();
    munmap(heap, heap_size);
    return ret;
}
