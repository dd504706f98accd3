// The sanitizer hooks the emulator calls in its sanitizer builds (make emu-asan / emu-tsan): fiber switches must be
// announced to AddressSanitizer and ThreadSanitizer, and ThreadSanitizer must be told which emulated operations
// synchronise GPU threads (barriers) and which memory an emulated instruction reads or writes on a thread's behalf.
#pragma once

#include <cstddef>

#if !defined(ATTN4J_EMU_ASAN)
#define ATTN4J_EMU_ASAN 0
#endif
#if !defined(ATTN4J_EMU_TSAN)
#define ATTN4J_EMU_TSAN 0
#endif

extern "C" {
#if ATTN4J_EMU_ASAN
void __sanitizer_start_switch_fiber(void** fake_stack_save, const void* bottom, size_t size);
void __sanitizer_finish_switch_fiber(void* fake_stack_save, const void** bottom_old, size_t* size_old);
void __asan_unpoison_memory_region(void const volatile* addr, size_t size);
#endif
#if ATTN4J_EMU_TSAN
void* __tsan_get_current_fiber(void);
void* __tsan_create_fiber(unsigned flags);
void __tsan_destroy_fiber(void* fiber);
void __tsan_switch_to_fiber(void* fiber, unsigned flags);
void __tsan_acquire(void* addr);
void __tsan_release(void* addr);
void __tsan_read_range(void* addr, unsigned long size);
void __tsan_write_range(void* addr, unsigned long size);
#endif
}

namespace attn4j {
namespace emu {

/** Forgets AddressSanitizer's marks on a fiber stack that is about to be reused (its old frames are gone). */
inline void forget_stack(void* low, size_t n) {
#if ATTN4J_EMU_ASAN
    __asan_unpoison_memory_region(low, n);
#else
    (void)low;
    (void)n;
#endif
}

/** Tells ThreadSanitizer that the running GPU thread reads [p, p + n) (a no-op in other builds). */
inline void note_read(const void* p, size_t n) {
#if ATTN4J_EMU_TSAN
    __tsan_read_range(const_cast<void*>(p), n);
#else
    (void)p;
    (void)n;
#endif
}

/** Tells ThreadSanitizer that the running GPU thread writes [p, p + n). */
inline void note_write(void* p, size_t n) {
#if ATTN4J_EMU_TSAN
    __tsan_write_range(p, n);
#else
    (void)p;
    (void)n;
#endif
}

/** ThreadSanitizer's flag for a fiber switch that does not order the two fibers (GPU threads are unordered
 *  except through barriers, which are announced separately). */
constexpr unsigned kSwitchWithoutSync = 1u;

/** Release / acquire on a synchronisation object (a CTA barrier): everything before every release happens before
 *  everything after every acquire of the same generation. */
inline void note_release(void* sync) {
#if ATTN4J_EMU_TSAN
    __tsan_release(sync);
#else
    (void)sync;
#endif
}

inline void note_acquire(void* sync) {
#if ATTN4J_EMU_TSAN
    __tsan_acquire(sync);
#else
    (void)sync;
#endif
}

}  // namespace emu
}  // namespace attn4j
