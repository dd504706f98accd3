package org.attn4j.jmh;

import java.util.concurrent.TimeUnit;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.cuda.CallOverhead;
import org.attn4j.cuda.CudaProvider;
import org.attn4j.cuda.CudaRuntime;
import org.attn4j.cuda.CudaTensors;
import org.attn4j.cuda.bridge.CudaBridge;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What crossing into the CUDA engine costs. {@link #abiVersion} is a bare JNI round trip into the JNI library (needs
 * the library, not a GPU). {@link #tinyForward} is a whole synchronous forward call of a tiny request on device
 * tensors (needs a GPU): its time minus the kernel time is the call overhead, which {@link CallOverhead} reports with
 * CUDA events and the tear-down prints.
 *
 * <p>Without the library (no nvcc at build time) or without a GPU, the set-up fails with the reason, so a run of this
 * class reports why instead of a number.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class JniCallOverheadBenchmark {

    /** A bare JNI round trip; needs only the JNI library. */
    @State(Scope.Benchmark)
    public static class Library {
        @Setup(Level.Trial)
        public void load() {
            if (!CudaRuntime.isLibraryLoaded()) {
                throw new IllegalStateException("the attn4j JNI library is not loaded: "
                        + CudaRuntime.availability().reason());
            }
        }
    }

    /** Device tensors of one tiny request; needs a GPU. */
    @State(Scope.Benchmark)
    public static class TinyRequest {
        Tensor q;
        Tensor k;
        Tensor v;
        AttentionRequest request;
        final CudaProvider provider = new CudaProvider();

        @Setup(Level.Trial)
        public void setUp() {
            if (!provider.availability().isAvailable()) {
                throw new IllegalStateException("cuda is unavailable: " + provider.availability().reason());
            }
            float[] x = new float[64 * 64];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) Math.sin(i);
            }
            try (Tensor host = Tensor.of(DType.BF16, x, 1, 1, 64, 64)) {
                q = CudaTensors.copyOf(host, 0);
                k = CudaTensors.copyOf(host, 0);
                v = CudaTensors.copyOf(host, 0);
            }
            request = AttentionRequest.builder(q, k, v).causal().build();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (request != null) {
                CallOverhead o = CallOverhead.measure(request, 100, 1000);
                System.out.println("\n[JniCallOverheadBenchmark] " + o);
            }
            for (Tensor t : new Tensor[] {q, k, v}) {
                if (t != null) {
                    t.close();
                }
            }
        }
    }

    @Benchmark
    public int abiVersion(Library library) {
        return CudaBridge.attn4j_abi_version();
    }

    @Benchmark
    public Object tinyForward(TinyRequest tiny) {
        try (AttentionResult r = tiny.provider.forward(tiny.request)) {
            return r.output();
        }
    }
}
