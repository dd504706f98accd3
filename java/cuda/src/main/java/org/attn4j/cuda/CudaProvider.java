package org.attn4j.cuda;

import java.util.Map;
import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.DType;
import org.attn4j.Device;
import org.attn4j.Tensor;
import org.attn4j.decode.DecodeCapabilities;
import org.attn4j.decode.DecodeRequest;
import org.attn4j.decode.KvCache;
import org.attn4j.decode.KvCacheConfig;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Availability;
import org.attn4j.spi.BenchmarkHooks;
import org.attn4j.spi.Capabilities;
import org.attn4j.spi.DecodeProvider;
import org.attn4j.spi.DeviceTimer;
import org.attn4j.spi.Support;

/**
 * {@code cuda}: attention on NVIDIA GPUs of compute capability 8.0 and newer through attn4j's own kernels (fp16 and
 * bf16 inputs, fp32 accumulation; head dims 64 and 128; every mask and normalizer of the SPEC; backward for softmax
 * with the static masks and the block mask). Takes host tensors (copied to the device and back) or device tensors
 * from {@link CudaTensors}. fp32 requests are not supported, so automatic selection gives them to a CPU provider.
 *
 * <p>Decoding: {@link CudaKvCache} keeps keys, values and block key sums on the device (configure the cache with
 * {@code .device(Device.cuda(n))}); decode steps run attn4j's decode kernels on it (see {@link CudaDecode}).
 *
 * <p>Benchmarks ({@link BenchmarkHooks}): inputs allocated on {@code cuda:0} and calls timed by CUDA events, so that
 * {@code ./attn4j bench} and {@code ./attn4j decode} measure the kernels, not host transfers.
 *
 * <p>Constructing the provider runs no native code; {@link #availability()} loads the library and probes the driver
 * and devices on first use (on a machine without an NVIDIA device node it answers without loading the library), and
 * says exactly why the provider cannot run when it cannot.
 */
public final class CudaProvider implements AttentionProvider, DecodeProvider, BenchmarkHooks {
    public static final String NAME = "cuda";

    private final CudaBenchmarkHooks hooks = new CudaBenchmarkHooks();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "attn4j CUDA kernels: fp16/bf16 on tensor cores (sm_80+), FlashAttention-2 tiling, sparse masks";
    }

    @Override
    public int priority() {
        return 1000;
    }

    @Override
    public Availability availability() {
        return CudaRuntime.availability();
    }

    @Override
    public Capabilities capabilities() {
        return CudaCapabilities.CAPABILITIES;
    }

    @Override
    public Support supports(AttentionRequest request) {
        return CudaCapabilities.CAPABILITIES.check(request).and(deviceSupport(request));
    }

    @Override
    public Support supportsBackward(AttentionRequest request) {
        return CudaCapabilities.CAPABILITIES.checkBackward(request).and(deviceSupport(request));
    }

    @Override
    public AttentionResult forward(AttentionRequest request) {
        return CudaAttention.forward(request);
    }

    @Override
    public AttentionGradients backward(BackwardRequest request) {
        return CudaAttention.backward(request);
    }

    @Override
    public DecodeCapabilities decodeCapabilities() {
        return CudaDecode.CAPABILITIES;
    }

    @Override
    public KvCache newCache(KvCacheConfig config) {
        return new CudaKvCache(config);
    }

    @Override
    public Support supportsDecode(DecodeRequest r) {
        return CudaDecode.supports(r);
    }

    @Override
    public AttentionResult decode(DecodeRequest r) {
        return CudaDecode.decode(r);
    }

    @Override
    public Device device() {
        return hooks.device();
    }

    @Override
    public Tensor allocate(DType dtype, int... shape) {
        return hooks.allocate(dtype, shape);
    }

    @Override
    public void synchronize() {
        hooks.synchronize();
    }

    @Override
    public DeviceTimer newTimer() {
        return hooks.newTimer();
    }

    @Override
    public Map<String, String> environment() {
        return hooks.environment();
    }

    /** Device tensors must come from this provider. */
    private static Support deviceSupport(AttentionRequest r) {
        if (r.device().isCpu()) {
            return Support.yes();
        }
        if (!CudaTensors.isDeviceTensor(r.q())) {
            return Support.no("tensors on " + r.device() + " not allocated by the cuda provider");
        }
        return Support.yes();
    }
}
