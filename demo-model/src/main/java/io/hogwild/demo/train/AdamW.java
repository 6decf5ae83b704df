package io.hogwild.demo.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.HashMap;
import java.util.Map;

/**
 * Adam with decoupled weight decay, applied in place outside the gradient collector. Moments live in the model's
 * manager; every temporary of an update belongs to the caller's step manager.
 */
public final class AdamW {

    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final Map<String, NDArray> firstMoments = new HashMap<>();
    private final Map<String, NDArray> secondMoments = new HashMap<>();
    private int updates;
    private double lastGradientNorm;
    private int skipped;

    public AdamW(double beta1, double beta2, double epsilon, double weightDecay) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
    }

    /**
     * One update of every parameter with its current gradient, at learning rate {@code lr}; false (and no update)
     * when the gradient is not finite, so one overflowing batch cannot turn every weight into NaN.
     */
    public boolean step(Map<String, NDArray> parameters, double lr, double clipNorm, NDManager step) {
        Map<String, NDArray> gradients = new HashMap<>();
        double squaredNorm = 0;
        for (var e : parameters.entrySet()) {
            NDArray g = e.getValue().getGradient();
            g.attach(step);
            gradients.put(e.getKey(), g);
            squaredNorm += g.square().sum().getFloat();
        }
        double norm = Math.sqrt(squaredNorm);
        lastGradientNorm = norm;
        if (!Double.isFinite(norm)) {
            // Zeroed by assignment: subtracting a non-finite gradient from itself would leave NaN behind.
            gradients.values().forEach(g -> g.set(new NDIndex("..."), 0f));
            skipped++;
            return false;
        }
        // Clipping the global gradient norm keeps an unlucky batch from undoing earlier progress.
        float scale = norm > clipNorm ? (float) (clipNorm / norm) : 1f;
        updates++;
        double correction1 = 1 - Math.pow(beta1, updates);
        double correction2 = 1 - Math.pow(beta2, updates);
        for (var e : parameters.entrySet()) {
            String name = e.getKey();
            NDArray p = e.getValue();
            NDArray g = gradients.get(name).mul(scale);
            NDArray m = firstMoments.computeIfAbsent(name, k -> p.zerosLike());
            NDArray v = secondMoments.computeIfAbsent(name, k -> p.zerosLike());
            m.muli((float) beta1).addi(g.mul((float) (1 - beta1)));
            v.muli((float) beta2).addi(g.square().mul((float) (1 - beta2)));
            // Results of an op belong to its first operand's manager: start from step-owned arrays.
            NDArray mHat = m.div((float) correction1);
            mHat.attach(step);
            NDArray vHat = v.div((float) correction2);
            vHat.attach(step);
            NDArray update = mHat.div(vHat.sqrt().add((float) epsilon));
            if (TrainableTransformer.decays(name) && weightDecay > 0) {
                p.muli((float) (1 - lr * weightDecay));
            }
            p.subi(update.mul((float) lr));
        }
        // libtorch adds each backward pass to the gradients it holds: clear them for the next step.
        gradients.values().forEach(g -> g.subi(g));
        return true;
    }

    /** Steps skipped because their gradient was not finite. */
    public int skipped() {
        return skipped;
    }

    public double lastGradientNorm() {
        return lastGradientNorm;
    }
}
