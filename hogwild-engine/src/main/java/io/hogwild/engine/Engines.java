package io.hogwild.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;

/** Where the engine runs: DJL's PyTorch engine, on a GPU when libtorch sees one, else the CPU. */
public final class Engines {

    private Engines() {}

    public static Device defaultDevice() {
        Engine engine = Engine.getEngine("PyTorch");
        return engine.getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }
}
