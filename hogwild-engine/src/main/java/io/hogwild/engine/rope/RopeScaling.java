package io.hogwild.engine.rope;

/**
 * Rotary position embedding parameters as read from config.json.
 *
 * @param theta base of the rotary frequencies
 * @param type {@code default} or {@code llama3}
 * @param factor llama3: how much the low frequencies are stretched
 * @param lowFreqFactor llama3: wavelength threshold (as a divisor of the original context) above which frequencies are fully scaled
 * @param highFreqFactor llama3: wavelength threshold below which frequencies are kept
 * @param originalMaxPositions llama3: the context length the model was pre-trained on
 */
public record RopeScaling(double theta, String type, double factor, double lowFreqFactor, double highFreqFactor,
                          int originalMaxPositions) {

    public static RopeScaling plain(double theta) {
        return new RopeScaling(theta, "default", 1, 1, 1, 0);
    }

    public boolean isLlama3() {
        return "llama3".equals(type);
    }
}
