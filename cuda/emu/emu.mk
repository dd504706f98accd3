# The GPU emulator builds (included by ../Makefile). The kernels (src/kernels_*.cu, unchanged), the C ABI
# (src/runtime.cpp, src/attention.cpp, unchanged) and the emulator (emu/*.cpp) compiled by g++ against the CUDA
# headers, no nvcc, no GPU, no driver. Three flavours, each in its own folder:
#   memcheck  the default: kernel code instrumented so every load and store is checked (emu/memcheck.hpp)
#   asan      AddressSanitizer + UndefinedBehaviorSanitizer over everything
#   tsan      ThreadSanitizer: the GPU threads of a CTA as sanitizer fibers, barriers as synchronisation
#
#   make emu-lib      $(BUILD)/emu-memcheck/libattn4j_emu.a   (the JNI emulator library links it)
#   make emu-tests    the emulator's own tests (fragment layouts against a brute-force product, planted bugs,
#                     runtime semantics, the C ABI's hazards), memcheck flavour
#   make emu-check    test/gpu_check.cpp's `check` through the C ABI on the emulated device
#   make emu-asan     emu tests and a subset of the checks under ASan + UBSan
#   make emu-tsan     one small case per kernel family under ThreadSanitizer

EMU_CXX       ?= $(CXX)
EMU_COMMON     = -std=c++20 -g -fPIC -fno-omit-frame-pointer -ffp-contract=off -fno-strict-aliasing -Wall -Wextra \
                 -Werror -Wno-unknown-pragmas -DATTN4J_EMULATOR -I$(CUDA_HOME)/include
EMU_KERNEL_X   = -x c++ -include emu/cuda_emu.hpp -fno-extern-tls-init

# Per flavour: kernel units, C ABI units, emulator units, link flags.
EMU_memcheck_KERNEL = -O2 -fsanitize=kernel-address --param asan-instrumentation-with-call-threshold=0 \
                      --param asan-stack=0 --param asan-globals=0
EMU_memcheck_HOST   = -O2
EMU_memcheck_CORE   = -O2
EMU_memcheck_LINK   = -lpthread
EMU_asan_KERNEL     = -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -DATTN4J_EMU_ASAN=1
EMU_asan_HOST       = $(EMU_asan_KERNEL)
EMU_asan_CORE       = $(EMU_asan_KERNEL)
EMU_asan_LINK       = -fsanitize=address,undefined -lpthread
EMU_tsan_KERNEL     = -O1 -fsanitize=thread -DATTN4J_EMU_TSAN=1
EMU_tsan_HOST       = $(EMU_tsan_KERNEL)
EMU_tsan_CORE       = $(EMU_tsan_KERNEL)
EMU_tsan_LINK       = -fsanitize=thread -lpthread
# Under ThreadSanitizer the GPU threads of a CTA are sanitizer fibers that switch without ordering each other; the
# emulator's own per-CTA bookkeeping (shared by those fibers on one host thread) is not instrumented, so only the
# kernels' accesses, and what the emulator reports on their behalf, are checked.
EMU_tsan_FIBER_SIDE = -O2 -DATTN4J_EMU_TSAN=1
EMU_FIBER_SIDE_SRCS = emu/fiber.cpp emu/cta.cpp emu/racecheck.cpp emu/kernel_api.cpp emu/fragments_ptx.cpp \
                      emu/memcheck.cpp

EMU_CORE_SRCS  = emu/fiber.cpp emu/cta.cpp emu/racecheck.cpp emu/kernel_api.cpp emu/fragments_ptx.cpp emu/device_memory.cpp \
                 emu/memcheck.cpp emu/grid.cpp emu/streams.cpp emu/device.cpp emu/runtime_api.cpp \
                 emu/driver_probe_emu.cpp
EMU_HEADERS    = $(wildcard emu/*.hpp) $(HEADERS) src/kernel_launch.cuh
EMU_KERNELS    = $(KERNEL_SRCS:src/%.cu=%)
EMU_ABI        = runtime attention decode resources

define emu_flavour
EMU_$(1)_DIR  = $$(BUILD)/emu-$(1)
EMU_$(1)_OBJS = $$(EMU_KERNELS:%=$$(EMU_$(1)_DIR)/%.o) $$(EMU_ABI:%=$$(EMU_$(1)_DIR)/%.o) \
                $$(EMU_CORE_SRCS:emu/%.cpp=$$(EMU_$(1)_DIR)/emu_%.o) $$(EMU_$(1)_DIR)/fiber_switch.o \
                $$(if $$(filter memcheck,$(1)),$$(EMU_$(1)_DIR)/emu_memcheck_hooks.o)

$$(EMU_$(1)_DIR)/%.o: src/%.cu $$(EMU_HEADERS)
	@mkdir -p $$(@D)
	$$(EMU_CXX) $$(EMU_COMMON) $$(EMU_$(1)_KERNEL) $$(EMU_KERNEL_X) -c $$< -o $$@

$$(EMU_$(1)_DIR)/%.o: src/%.cpp $$(EMU_HEADERS)
	@mkdir -p $$(@D)
	$$(EMU_CXX) $$(EMU_COMMON) $$(EMU_$(1)_HOST) -fvisibility=hidden -c $$< -o $$@

$$(EMU_$(1)_DIR)/emu_%.o: emu/%.cpp $$(EMU_HEADERS)
	@mkdir -p $$(@D)
	$$(EMU_CXX) $$(EMU_COMMON) $$(if $$(and $$(EMU_$(1)_FIBER_SIDE),$$(filter $$<,$$(EMU_FIBER_SIDE_SRCS))),$$(EMU_$(1)_FIBER_SIDE),$$(EMU_$(1)_CORE)) \
	    -fvisibility=hidden -c $$< -o $$@

$$(EMU_$(1)_DIR)/fiber_switch.o: emu/fiber_switch_x86_64.S
	@mkdir -p $$(@D)
	$$(EMU_CXX) -c $$< -o $$@

$$(EMU_$(1)_DIR)/libattn4j_emu.a: $$(EMU_$(1)_OBJS)
	rm -f $$@
	ar rcs $$@ $$^

$$(EMU_$(1)_DIR)/planted_kernels.o: emu/test/planted_kernels.cu $$(EMU_HEADERS)
	@mkdir -p $$(@D)
	$$(EMU_CXX) $$(EMU_COMMON) $$(EMU_$(1)_KERNEL) $$(EMU_KERNEL_X) -c $$< -o $$@

$$(EMU_$(1)_DIR)/emu_tests: emu/test/emu_tests.cpp emu/test/planted_kernels.hpp $$(EMU_$(1)_DIR)/planted_kernels.o \
                            $$(EMU_$(1)_DIR)/libattn4j_emu.a test/reference.hpp
	$$(EMU_CXX) $$(EMU_COMMON) $$(EMU_$(1)_HOST) -o $$@ emu/test/emu_tests.cpp $$(EMU_$(1)_DIR)/planted_kernels.o \
	    $$(EMU_$(1)_DIR)/libattn4j_emu.a $$(EMU_$(1)_LINK)

$$(EMU_$(1)_DIR)/gpu_check: test/gpu_check.cpp test/reference.hpp $$(EMU_$(1)_DIR)/libattn4j_emu.a
	$$(EMU_CXX) $$(EMU_COMMON) $$(EMU_$(1)_HOST) -o $$@ test/gpu_check.cpp $$(EMU_$(1)_DIR)/libattn4j_emu.a \
	    $$(EMU_$(1)_LINK)
endef

$(foreach f,memcheck asan tsan,$(eval $(call emu_flavour,$(f))))

.PHONY: emu-lib emu-tests emu-check emu-asan emu-tsan
emu-lib: $(EMU_memcheck_DIR)/libattn4j_emu.a

emu-tests: $(EMU_memcheck_DIR)/emu_tests
	$(EMU_memcheck_DIR)/emu_tests

emu-check: $(EMU_memcheck_DIR)/gpu_check
	$(EMU_memcheck_DIR)/gpu_check check $(EMU_memcheck_DIR)/gpu_check.json

EMU_ASAN_CHECKS ?= dense|causal gqa|window+global|block top-k|token top-k|sparsemax|backward causal
emu-asan: $(EMU_asan_DIR)/emu_tests $(EMU_asan_DIR)/gpu_check
	ASAN_OPTIONS=detect_leaks=1 $(EMU_asan_DIR)/emu_tests
	ASAN_OPTIONS=detect_leaks=1 $(EMU_asan_DIR)/gpu_check sanitize $(EMU_asan_DIR)/gpu_check.json "$(EMU_ASAN_CHECKS)"

EMU_TSAN_CHECKS ?= fp16 d64 dense|fp16 d64 token top-k|fp16 d64 sparsemax|fp16 d64 block top-k|fp16 d64 backward dense
emu-tsan: $(EMU_tsan_DIR)/gpu_check $(EMU_tsan_DIR)/emu_tests
	TSAN_OPTIONS=halt_on_error=1 $(EMU_tsan_DIR)/gpu_check sanitize $(EMU_tsan_DIR)/gpu_check.json "$(EMU_TSAN_CHECKS)"
	TSAN_OPTIONS=halt_on_error=1 $(EMU_tsan_DIR)/emu_tests threads
	@# ...and a kernel with a planted missing barrier must be reported as a data race.
	@if TSAN_OPTIONS=halt_on_error=1 $(EMU_tsan_DIR)/emu_tests race > $(EMU_tsan_DIR)/race.log 2>&1; then \
	    echo "ThreadSanitizer did not report the missing barrier"; cat $(EMU_tsan_DIR)/race.log; exit 1; fi
	@grep -q "WARNING: ThreadSanitizer: data race" $(EMU_tsan_DIR)/race.log || \
	    { echo "the planted kernel failed without a race report"; cat $(EMU_tsan_DIR)/race.log; exit 1; }
	@grep -q "missing_barrier_kernel" $(EMU_tsan_DIR)/race.log || \
	    { echo "the race report does not name the kernel"; cat $(EMU_tsan_DIR)/race.log; exit 1; }
	@echo "ThreadSanitizer reports the planted missing barrier"
