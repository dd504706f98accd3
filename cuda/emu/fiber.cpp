#include "fiber.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <new>
#include <stdexcept>

#include "sanitizers.hpp"

extern "C" void attn4j_emu_switch(void** save_sp, void* next_sp);
extern "C" void attn4j_emu_fiber_start();

namespace attn4j {
namespace emu {

FiberStack::FiberStack(size_t bytes) {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    size_ = (bytes + page - 1) / page * page;
    mapping_size_ = size_ + page;
    void* m = mmap(nullptr, mapping_size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) {
        throw std::bad_alloc();
    }
    mapping_ = static_cast<char*>(m);
    mprotect(mapping_, page, PROT_NONE);  // the guard page: stacks grow down into it
    low_ = mapping_ + page;
}

FiberStack::~FiberStack() {
    if (mapping_ != nullptr) {
        munmap(mapping_, mapping_size_);
    }
}

Context::~Context() {
#if ATTN4J_EMU_TSAN
    if (owns_sanitizer_fiber_) {
        __tsan_destroy_fiber(sanitizer_fiber_);
    }
#endif
}

void Context::prepare(FiberStack& stack, void (*entry)(void*), void* arg) {
    stack_low_ = stack.low();
    stack_high_ = stack.high();
    forget_stack(stack.low(), stack.size());
    // Frame popped by attn4j_emu_switch: control words, r15, r14, r13, r12, rbx, rbp, then the return address. The
    // return address sits at 8 mod 16 so that the start stub calls the entry with the ABI's stack alignment.
    auto top = reinterpret_cast<uintptr_t>(stack.high()) & ~static_cast<uintptr_t>(15);
    auto* ret = reinterpret_cast<uint64_t*>(top - 24);
    ret[0] = reinterpret_cast<uint64_t>(&attn4j_emu_fiber_start);
    uint64_t* frame = ret - 7;
    uint32_t mxcsr;
    uint16_t fpcw;
    asm volatile("stmxcsr %0" : "=m"(mxcsr));
    asm volatile("fnstcw %0" : "=m"(fpcw));
    std::memcpy(reinterpret_cast<char*>(frame), &mxcsr, 4);
    std::memcpy(reinterpret_cast<char*>(frame) + 4, &fpcw, 2);
    frame[1] = 0;                                   // r15
    frame[2] = 0;                                   // r14
    frame[3] = reinterpret_cast<uint64_t>(arg);     // r13: the argument
    frame[4] = reinterpret_cast<uint64_t>(entry);   // r12: the entry function
    frame[5] = 0;                                   // rbx
    frame[6] = 0;                                   // rbp
    sp_ = frame;
#if ATTN4J_EMU_TSAN
    // A fresh ThreadSanitizer fiber per start: nothing an earlier CTA's thread did orders this one's accesses.
    if (owns_sanitizer_fiber_) {
        __tsan_destroy_fiber(sanitizer_fiber_);
    }
    sanitizer_fiber_ = __tsan_create_fiber(0);
    owns_sanitizer_fiber_ = true;
#endif
}

void Context::entered_from(Context& host) {
#if ATTN4J_EMU_ASAN
    const void* bottom = nullptr;
    size_t size = 0;
    __sanitizer_finish_switch_fiber(nullptr, &bottom, &size);
    if (host.stack_low_ == nullptr && bottom != nullptr) {
        host.stack_low_ = static_cast<const char*>(bottom);
        host.stack_high_ = host.stack_low_ + size;
    }
#else
    (void)host;
#endif
}

void Context::switch_to(Context& from, Context& to) {
#if ATTN4J_EMU_TSAN
    if (from.sanitizer_fiber_ == nullptr) {
        from.sanitizer_fiber_ = __tsan_get_current_fiber();
    }
    __tsan_switch_to_fiber(to.sanitizer_fiber_, kSwitchWithoutSync);
#endif
#if ATTN4J_EMU_ASAN
    __sanitizer_start_switch_fiber(&from.asan_fake_stack_, to.stack_low_,
                                   to.stack_low_ != nullptr ? static_cast<size_t>(to.stack_high_ - to.stack_low_) : 0);
#endif
    attn4j_emu_switch(&from.sp_, to.sp_);
#if ATTN4J_EMU_ASAN
    __sanitizer_finish_switch_fiber(from.asan_fake_stack_, nullptr, nullptr);
#endif
}

}  // namespace emu
}  // namespace attn4j
