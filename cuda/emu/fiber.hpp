// Fibers: the emulator runs every GPU thread of a CTA as a fiber on one host thread, switching at barriers and warp
// collectives. A switch saves a handful of registers (fiber_switch_x86_64.S), so a CTA of 128 threads costs
// microseconds per barrier instead of the futex round trips of one OS thread per GPU thread.
#pragma once

#include <cstddef>
#include <cstdint>

namespace attn4j {
namespace emu {

/** A stack with a guard page below it (an overflow faults instead of corrupting the neighbour). */
class FiberStack {
public:
    explicit FiberStack(size_t bytes);
    ~FiberStack();
    FiberStack(const FiberStack&) = delete;
    FiberStack& operator=(const FiberStack&) = delete;

    char* low() const { return low_; }
    char* high() const { return low_ + size_; }
    size_t size() const { return size_; }

private:
    char* mapping_ = nullptr;
    size_t mapping_size_ = 0;
    char* low_ = nullptr;
    size_t size_ = 0;
};

/**
 * An execution context: either a host thread's own (the scheduler) or a fiber on a FiberStack. switch_to() suspends
 * the current context and resumes another; a fiber's entry function must never return (it switches away for good).
 */
class Context {
public:
    Context() = default;
    ~Context();
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;

    /** Prepares this context to start entry(arg) on stack at the next switch to it. */
    void prepare(FiberStack& stack, void (*entry)(void*), void* arg);

    /** Suspends from (the running context) and resumes to. */
    static void switch_to(Context& from, Context& to);

    /** Called first thing in a fiber's entry function, started from host (AddressSanitizer learns the stacks). */
    static void entered_from(Context& host);

    const char* stack_low() const { return stack_low_; }
    const char* stack_high() const { return stack_high_; }

private:
    void* sp_ = nullptr;
    const char* stack_low_ = nullptr;   // null for a host thread's own context
    const char* stack_high_ = nullptr;
    void* sanitizer_fiber_ = nullptr;   // ThreadSanitizer's fiber handle (sanitizer builds only)
    bool owns_sanitizer_fiber_ = false; // created here (a host thread's own fiber is not ours to destroy)
    void* asan_fake_stack_ = nullptr;   // AddressSanitizer's fake stack of a suspended context
};

}  // namespace emu
}  // namespace attn4j
