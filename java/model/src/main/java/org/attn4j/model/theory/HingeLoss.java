package org.attn4j.model.theory;

/**
 * The paper's hinge loss {@code l(y_hat, y) = max((-1)^y y_hat + 1, 0)} for a bit {@code y}: bit 0 wants
 * {@code y_hat <= -1}, bit 1 wants {@code y_hat >= 1}. The predicted bit is 1 when {@code y_hat > 0}.
 */
public final class HingeLoss {
    private HingeLoss() {
    }

    public static double loss(float yHat, int bit) {
        double signed = bit == 0 ? yHat : -yHat;
        return Math.max(signed + 1, 0);
    }

    /** {@code d loss / d y_hat}: {@code (-1)^y} inside the margin, 0 outside. */
    public static float gradient(float yHat, int bit) {
        float sign = bit == 0 ? 1f : -1f;
        return sign * yHat + 1 > 0 ? sign : 0f;
    }

    public static int predict(float yHat) {
        return yHat > 0 ? 1 : 0;
    }
}
