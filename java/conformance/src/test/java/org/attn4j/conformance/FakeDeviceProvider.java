package org.attn4j.conformance;

import java.util.EnumSet;
import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.Device;
import org.attn4j.Tensor;
import org.attn4j.reference.ReferenceProvider;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Availability;
import org.attn4j.spi.Capabilities;

/**
 * A provider shaped like a GPU one: it takes only "cuda:0" tensors ({@link ForeignDeviceStorage}, heap memory that
 * says it is device memory) and returns results there, computing through the reference on host copies. It lets the
 * kit's device path (placement, reading device results back, caller outputs on the device, GPU tolerances) be tested
 * on a machine without a GPU.
 */
final class FakeDeviceProvider implements AttentionProvider {
    static final Device DEVICE = Device.cuda(0);
    private static final ReferenceProvider REFERENCE = new ReferenceProvider();
    private static final Capabilities CAPS;

    static {
        Capabilities all = Capabilities.everything();
        CAPS = Capabilities.builder().devices(EnumSet.of(Device.Kind.CUDA)).dtypes(all.dtypes()).masks(all.masks())
                .normalizers(all.normalizers()).probabilities(true)
                .backward(all.backwardDtypes(), all.backwardMasks(), all.backwardNormalizers()).build();
    }

    /** The placement a test of this provider gives the kit. */
    static final TensorPlacement PLACEMENT = FakeDeviceProvider::toDevice;

    @Override
    public String name() {
        return "fake-device";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Availability availability() {
        return Availability.available("heap memory posing as " + DEVICE);
    }

    @Override
    public Capabilities capabilities() {
        return CAPS;
    }

    @Override
    public AttentionResult forward(AttentionRequest r) {
        r.checkTensorsOpen();
        CAPS.require(r, name());
        AttentionRequest host = r.toBuilder().tensors(toHost(r.q()), toHost(r.k()), toHost(r.v())).output(null)
                .lseOutput(null).build();
        try (AttentionResult res = REFERENCE.forward(host)) {
            AttentionResult.Builder b = AttentionResult.builder(name());
            res.allowedPairs().ifPresent(b::allowedPairs);
            Tensor o = r.output().orElse(null);
            b.output(copyInto(res.output(), o), o == null);
            if (res.lse().isPresent()) {
                Tensor l = r.lseOutput().orElse(null);
                b.lse(copyInto(res.lse().get(), l), l == null);
            }
            res.probabilities().ifPresent(p -> b.probabilities(toDevice(p), true));
            return b.build();
        } finally {
            host.q().close();
            host.k().close();
            host.v().close();
        }
    }

    @Override
    public AttentionGradients backward(BackwardRequest br) {
        br.checkTensorsOpen();
        AttentionRequest r = br.forward();
        CAPS.requireBackward(r, name());
        AttentionRequest host = r.toBuilder().tensors(toHost(r.q()), toHost(r.k()), toHost(r.v())).output(null)
                .lseOutput(null).build();
        try (AttentionGradients g = REFERENCE.backward(BackwardRequest.of(host, toHost(br.output()),
                br.lse().map(FakeDeviceProvider::toHost).orElse(null), toHost(br.gradOutput())))) {
            return new AttentionGradients(name(), toDevice(g.dq()), toDevice(g.dk()), toDevice(g.dv()));
        }
    }

    static Tensor toDevice(Tensor host) {
        Tensor d = Tensor.wrap(new ForeignDeviceStorage(host.byteSize(), DEVICE), host.dtype(), host.shape());
        d.copyFrom(host.toFloatArray());
        return d;
    }

    private static Tensor toHost(Tensor device) {
        if (!device.device().equals(DEVICE)) {
            throw new IllegalArgumentException("tensor on " + device.device() + ", expected " + DEVICE);
        }
        return Tensor.of(device.dtype(), device.toFloatArray(), device.shape());
    }

    private static Tensor copyInto(Tensor host, Tensor destination) {
        if (destination == null) {
            return toDevice(host);
        }
        destination.copyFrom(host.toFloatArray());
        return destination;
    }
}
