package io.hogwild.engine.model;

/** Test access to package-private conversions of {@link SafeTensors}. */
public final class SafeTensorsAccess {

    private SafeTensorsAccess() {}

    public static float halfToFloat(short h) {
        return SafeTensors.halfToFloat(h);
    }
}
