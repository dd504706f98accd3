package org.attn4j.bench.timing;

import org.attn4j.spi.DeviceTimer;

/** Device time from the provider's {@link DeviceTimer} (CUDA events around the launch). */
public final class DeviceEventTimer implements IntervalTimer {
    private final DeviceTimer timer;

    public DeviceEventTimer(DeviceTimer timer) {
        this.timer = timer;
    }

    @Override
    public void start() {
        timer.start();
    }

    @Override
    public void stop() {
        timer.stop();
    }

    @Override
    public double elapsedMillis() {
        return timer.elapsedMillis();
    }

    @Override
    public String kind() {
        return "device-events";
    }

    @Override
    public void close() {
        timer.close();
    }
}
