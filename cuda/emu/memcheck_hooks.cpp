// The callbacks of GCC's -fsanitize=kernel-address instrumentation (outlined with
// --param asan-instrumentation-with-call-threshold=0): the kernel translation units of the default emulator build
// call one of these before every load and store, and the emulator checks the access (memcheck.hpp). Only the kernel
// units are instrumented; in builds with AddressSanitizer or ThreadSanitizer these hooks are not linked.
#include <cstddef>
#include <cstdint>

#include "memcheck.hpp"

#define ATTN4J_EMU_HOOK __attribute__((visibility("hidden")))

using attn4j::emu::check_plain_access;

extern "C" {
ATTN4J_EMU_HOOK void __asan_load1_noabort(void* p) { check_plain_access(p, 1, false); }
ATTN4J_EMU_HOOK void __asan_load2_noabort(void* p) { check_plain_access(p, 2, false); }
ATTN4J_EMU_HOOK void __asan_load4_noabort(void* p) { check_plain_access(p, 4, false); }
ATTN4J_EMU_HOOK void __asan_load8_noabort(void* p) { check_plain_access(p, 8, false); }
ATTN4J_EMU_HOOK void __asan_load16_noabort(void* p) { check_plain_access(p, 16, false); }
ATTN4J_EMU_HOOK void __asan_loadN_noabort(void* p, long n) { check_plain_access(p, static_cast<size_t>(n), false); }
ATTN4J_EMU_HOOK void __asan_store1_noabort(void* p) { check_plain_access(p, 1, true); }
ATTN4J_EMU_HOOK void __asan_store2_noabort(void* p) { check_plain_access(p, 2, true); }
ATTN4J_EMU_HOOK void __asan_store4_noabort(void* p) { check_plain_access(p, 4, true); }
ATTN4J_EMU_HOOK void __asan_store8_noabort(void* p) { check_plain_access(p, 8, true); }
ATTN4J_EMU_HOOK void __asan_store16_noabort(void* p) { check_plain_access(p, 16, true); }
ATTN4J_EMU_HOOK void __asan_storeN_noabort(void* p, long n) { check_plain_access(p, static_cast<size_t>(n), true); }
ATTN4J_EMU_HOOK void __asan_handle_no_return() {}
}
