// The emulator build's answer to what kind of device the C ABI drives: an emulated one, which needs no driver.
#include "../include/attn4j_cuda.h"

extern "C" {

int32_t attn4j_driver_library_present(void) {
    return 1;
}

int32_t attn4j_device_emulated(void) {
    return 1;
}

}  // extern "C"
