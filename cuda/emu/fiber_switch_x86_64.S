/*
 * Context switch of the emulator's fibers (one per GPU thread), System V x86-64.
 *
 *   void attn4j_emu_switch(void** save_sp, void* next_sp)
 *
 * Pushes the callee-saved registers and the SSE/x87 control words on the current stack, stores the stack pointer in
 * *save_sp, loads next_sp and pops the same frame there. A new fiber's stack is prepared (fiber.cpp) so that the
 * first switch to it "returns" into attn4j_emu_fiber_start with the entry function in r12 and its argument in r13.
 */
        .text
        .globl  attn4j_emu_switch
        .hidden attn4j_emu_switch
        .type   attn4j_emu_switch, @function
attn4j_emu_switch:
        pushq   %rbp
        pushq   %rbx
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        subq    $8, %rsp
        stmxcsr (%rsp)
        fnstcw  4(%rsp)
        movq    %rsp, (%rdi)
        movq    %rsi, %rsp
        ldmxcsr (%rsp)
        fldcw   4(%rsp)
        addq    $8, %rsp
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        ret
        .size   attn4j_emu_switch, .-attn4j_emu_switch

        .globl  attn4j_emu_fiber_start
        .hidden attn4j_emu_fiber_start
        .type   attn4j_emu_fiber_start, @function
attn4j_emu_fiber_start:
        movq    %r13, %rdi
        callq   *%r12
        ud2                     /* the entry function never returns */
        .size   attn4j_emu_fiber_start, .-attn4j_emu_fiber_start

        .section .note.GNU-stack, "", @progbits
