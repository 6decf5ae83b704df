package io.hogwild.worker.served;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.hogwild.contracts.worker.ModelInfo;
import io.hogwild.worker.config.ModelProperties;
import io.hogwild.worker.config.WorkerProperties;
import io.hogwild.engine.ComputeDtype;
import io.hogwild.engine.Engines;
import io.hogwild.engine.LanguageModel;
import io.hogwild.engine.tokenizer.Tokenizer;
import io.hogwild.lockstep.ModelDescription;
import java.nio.file.Path;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The one model this worker serves, loaded at startup (a worker without its model is useless, so a checkpoint
 * that cannot be loaded stops the service with the loader's message), and what clients need to know about it.
 */
@Component
public class ServedModel implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServedModel.class);

    private final LanguageModel model;
    private final ModelInfo info;
    private final long bytesPerToken;

    public ServedModel(ModelProperties properties, WorkerProperties worker) {
        Path dir = properties.resolvedPath();
        Device device = switch (worker.device().toLowerCase(java.util.Locale.ROOT)) {
            case "cpu" -> Device.cpu();
            case "gpu", "cuda" -> Device.gpu();
            case "auto", "" -> Engines.defaultDevice();
            default -> throw new IllegalArgumentException(
                    "hogwild.worker.device must be auto, cpu or gpu, got '" + worker.device() + "'");
        };
        DataType dtype = computeDtype(worker.dtype());
        long start = System.nanoTime();
        this.model = LanguageModel.load(dir, device, dtype);
        this.model.tokenizer(); // the service needs one: fail at startup, not at the first request
        this.info = ModelDescription.describe(dir, properties.modelId(dir), model);
        var config = model.config();
        this.bytesPerToken = 2L * config.numLayers() * config.numKvHeads() * config.headDim()
                * model.transformer().cacheDataType().getNumOfBytes();
        log.info("Loaded model {} ({}) from {} on {} computing in {} in {} ms", info.id(), info.architecture(), dir,
                device, ComputeDtype.name(model.transformer().dtype()), (System.nanoTime() - start) / 1_000_000);
    }

    /** {@code hogwild.worker.dtype}: {@code auto} leaves the choice to the engine (float32 on CPU, the checkpoint's on GPU). */
    static DataType computeDtype(String setting) {
        String value = setting == null ? "" : setting.trim();
        if (value.isEmpty() || value.equalsIgnoreCase("auto")) {
            return null;
        }
        try {
            return ComputeDtype.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "hogwild.worker.dtype must be auto, float32, float16 or bfloat16, got '" + setting + "'");
        }
    }

    public LanguageModel languageModel() {
        return model;
    }

    public Tokenizer tokenizer() {
        return model.tokenizer();
    }

    public ModelInfo info() {
        return info;
    }

    public int contextLimit() {
        return info.contextLimit();
    }

    /** Keys and values of one cached token over all layers, in the cache's dtype. */
    public long bytesPerToken() {
        return bytesPerToken;
    }

    public Set<Integer> eosTokenIds() {
        return model.defaults().eosTokenIds();
    }

    @Override
    public void close() {
        model.close();
    }
}
