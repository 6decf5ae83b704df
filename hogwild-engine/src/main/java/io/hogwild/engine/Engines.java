package io.hogwild.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;

/** Where the engine runs: DJL's PyTorch engine, on a GPU when libtorch sees one, else the CPU. */
public final class Engines {

    /**
     * {@code auto} (default), {@code gpu} or {@code cpu}. DJL counts GPUs through the CUDA runtime library it finds
     * on its own, not through libtorch: where that library is not on the loader's path the count is 0 although
     * libtorch runs on the GPU, so the GPU check kit names the device rather than trusting the count.
     */
    public static final String DEVICE_PROPERTY = "hogwild.device";

    private Engines() {}

    public static Device defaultDevice() {
        String wanted = System.getProperty(DEVICE_PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        switch (wanted) {
            case "gpu":
                return Device.gpu();
            case "cpu":
                return Device.cpu();
            case "auto", "":
                Engine engine = Engine.getEngine("PyTorch");
                return engine.getGpuCount() > 0 ? Device.gpu() : Device.cpu();
            default:
                throw new IllegalArgumentException("-D" + DEVICE_PROPERTY + " must be auto, gpu or cpu, got '"
                        + wanted + "'");
        }
    }
}
