package io.hogwild.gpucheck;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.LibUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The GPU check kit without a GPU: {@code prepare} for real (one kit for the class), the {@code run} step's argument
 * handling, torch discovery against fake torch packages and its dry run, and its golden check on the CPU with the
 * kit's own Java runtime and jars, pointed at the CPU libtorch and JNI library DJL unpacks here.
 */
class GpuCheckKitTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MIB = 1024 * 1024;
    private static final List<String> FIXTURES = List.of("llama3-tiny", "qwen2-tiny", "qwen3-tiny", "qwen3-tiny-bf16");

    @TempDir
    static Path shared;
    private static Path kit;
    private static GpuCheckScript.Result prepared;

    @TempDir
    Path tmp;

    /**
     * A DJL checkout to take the JNI sources from: GPU_CHECK_DJL_SRC, else the script's default place. DJL's C++
     * sources come only from GitHub, which a CI machine cannot reach; without them the class prepares a kit with
     * {@code --djl-src none} (runs given a JNI library, as the CPU run below is) and only the test of the copied
     * sources is skipped, saying why.
     */
    private static final Path DJL_SOURCES = Path.of(System.getenv().getOrDefault("GPU_CHECK_DJL_SRC",
            "/work/.mirror/deepjavalibrary+djl/repo"));
    private static final boolean WITH_DJL_SOURCES = Files.exists(DJL_SOURCES);

    @BeforeAll
    static void prepareOneKit() {
        kit = shared.resolve("kit");
        prepared = GpuCheckScript.run(shared.resolve("prepare"), "prepare", "--out", kit.toString(),
                "--classpath", System.getProperty("gpucheck.classpath"),
                "--djl-src", WITH_DJL_SOURCES ? DJL_SOURCES.toString() : "none");
    }

    @Test
    void prepareFillsOneFolderUnder64MiBWithWhatTheGpuMachineLacks() throws IOException {
        assertThat(prepared.code()).as(prepared.err()).isZero();
        assertThat(prepared.out()).startsWith("kit " + kit + ": ").contains("MiB");
        long bytes;
        try (Stream<Path> files = Files.walk(kit)) {
            bytes = files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
        // The size it prints (du: the files and their folders' entries) is what counts against a device call.
        Matcher printed = Pattern.compile("\\((\\d+) bytes\\)").matcher(prepared.out());
        assertThat(printed.find()).isTrue();
        assertThat(Long.parseLong(printed.group(1))).isBetween(bytes, 64 * MIB - 1);

        // A Java runtime with the JNI headers the native build needs.
        GpuCheckScript.Result listing = GpuCheckScript.exec(tmp, Map.of(),
                List.of("tar", "-tzf", kit.resolve("jre.tar.gz").toString()));
        assertThat(listing.out().lines()).contains("jre/bin/java", "jre/include/jni.h", "jre/include/linux/jni_md.h",
                "jre/lib/server/libjvm.so");
        // The engine and its runtime jars, without libtorch, DJL's prebuilt JNI library or the tokenizers' natives.
        List<String> jars = names(kit.resolve("lib"));
        assertThat(jars).anyMatch(j -> j.startsWith("hogwild-engine-")).contains("pytorch-engine-0.36.0.jar",
                "api-0.36.0.jar", "jna-5.17.0.jar");
        assertThat(jars).noneMatch(j -> j.startsWith("pytorch-native") || j.startsWith("pytorch-jni")
                || j.startsWith("tokenizers") || j.startsWith("junit") || j.endsWith("-tests.jar"));
        assertThat(kit.resolve("conf/logback.xml")).isRegularFile();
        assertThat(Files.readString(kit.resolve("djl/VERSION")).strip()).isEqualTo("0.36.0");
        // The golden fixtures and the Python side.
        assertThat(names(kit.resolve("golden"))).containsExactlyInAnyOrderElementsOf(FIXTURES);
        for (String f : FIXTURES) {
            assertThat(kit.resolve("golden").resolve(f).resolve("model.safetensors")).isRegularFile();
            assertThat(kit.resolve("golden").resolve(f).resolve("expected.json")).isRegularFile();
        }
        assertThat(names(kit.resolve("python"))).contains("transformers_reference.py", "summarize.py");
        JsonNode manifest = JSON.readTree(kit.resolve("kit.json").toFile());
        assertThat(manifest.path("djl_version").asString()).isEqualTo("0.36.0");
        assertThat(manifest.path("djl_sources").asBoolean()).isEqualTo(WITH_DJL_SOURCES);
        assertThat(manifest.path("bytes").asLong()).isPositive().isLessThan(64 * MIB);
        if (!WITH_DJL_SOURCES) {
            assertThat(kit.resolve("djl/engines")).doesNotExist();
        }
    }

    @Test
    void prepareCopiesDjlsJniSourcesAtTheEnginesVersionWithTheirHeader() throws IOException {
        Assumptions.assumeTrue(WITH_DJL_SOURCES, "no DJL checkout at " + DJL_SOURCES
                + " (set GPU_CHECK_DJL_SRC): DJL's C++ sources come only from GitHub");
        Path nativeDir = kit.resolve("djl/engines/pytorch/pytorch-native");
        assertThat(nativeDir.resolve("CMakeLists.txt")).isRegularFile();
        assertThat(nativeDir.resolve("src/main/native/ai_djl_pytorch_jni_PyTorchLibrary_tensor.cc")).isRegularFile();
        assertThat(kit.resolve("djl/api/src/main/native/djl/utils.h")).isRegularFile();
        assertThat(Files.readString(nativeDir.resolve("build/include/ai_djl_pytorch_jni_PyTorchLibrary.h")))
                .contains("JNIEXPORT", "Java_ai_djl_pytorch_jni_PyTorchLibrary_torchMatmul");
    }

    @Test
    void prepareWithoutDjlSourcesFailsInOneLine() {
        GpuCheckScript.Result r = GpuCheckScript.run(tmp, "prepare", "--out", tmp.resolve("kit").toString(),
                "--djl-src", "/nonexistent/djl", "--classpath", System.getProperty("gpucheck.classpath"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().lines()).containsExactly("gpu-check: prepare: DJL sources not found at /nonexistent/djl"
                + " (give a DJL git repository or source tree with --djl-src)");
        assertThat(tmp.resolve("kit")).doesNotExist();
    }

    @Test
    void runRefusesBadArgumentsInOneLine() {
        Path torch = fakeTorch(tmp.resolve("cuda-torch"), "2.11.0+cu130", "'13.0'");
        String k = kit.toString();
        String t = torch.toString();
        assertOneLineUsageError(GpuCheckScript.run(tmp, "run", "--kit", k, "--frobnicate"),
                "gpu-check: run: unknown option '--frobnicate'");
        assertOneLineUsageError(GpuCheckScript.run(tmp, "run", "--kit", k, "--torch-dir", t, "--parts", "golden,fast"),
                "gpu-check: run: unknown part 'fast' (known: build golden golden-reference bench-qwen3-8b"
                        + " reference-qwen3-8b batching-qwen3-0.6b bench-qwen3-0.6b reference-qwen3-0.6b)");
        assertOneLineUsageError(GpuCheckScript.run(tmp, "run", "--kit", k, "--device", "tpu"),
                "gpu-check: run: --device must be gpu or cpu, got 'tpu'");
        assertOneLineUsageError(GpuCheckScript.run(tmp, "run", "--kit", k, "--budget"),
                "gpu-check: option --budget needs a value");
        assertOneLineUsageError(GpuCheckScript.run(tmp, "run", "--kit", k, "--workers", "1,two"),
                "gpu-check: run: '1,two' is not a comma-separated list of integers");
        assertOneLineUsageError(GpuCheckScript.run(tmp, "run", "--kit", tmp.resolve("nokit").toString()),
                "gpu-check: run: no kit at " + tmp.resolve("nokit")
                        + " (run scripts/gpu-check prepare here first, then carry .gpu-kit)");
        Path noTorch = GpuCheckScript.script(tmp.resolve("bin/python-without-torch"),
                "echo \"ModuleNotFoundError: No module named 'torch'\" >&2; exit 1");
        assertOneLineUsageError(GpuCheckScript.run(tmp, "run", "--kit", k, "--python", noTorch.toString()),
                "gpu-check: run: " + noTorch + " cannot import torch (give --python or --torch-dir)");
        assertOneLineUsageError(GpuCheckScript.run(tmp, "run", "--kit", k, "--torch-dir", tmp.toString()),
                "gpu-check: run: " + tmp + " is no torch package (no version.py)");
        assertOneLineUsageError(GpuCheckScript.run(tmp, "nonsense"),
                "gpu-check: unknown command 'nonsense' (prepare or run)");
    }

    private static void assertOneLineUsageError(GpuCheckScript.Result r, String line) {
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err().lines()).containsExactly(line);
    }

    @Test
    void dryRunFindsTorchThroughPythonAndPrintsTheBuildAndCheckCommandsInOrder() {
        Path torch = fakeTorch(tmp.resolve("site-packages/torch"), "2.11.0+cu130", "'13.0'");
        Path python = GpuCheckScript.script(tmp.resolve("bin/python3"), "echo " + torch);
        Path work = tmp.resolve("work");
        Path out = tmp.resolve("out");
        GpuCheckScript.Result r = GpuCheckScript.run(tmp, "run", "--kit", kit.toString(), "--python",
                python.toString(), "--work", work.toString(), "--out", out.toString(), "--dry-run");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("torch 2.11.0+cu130 at " + torch + " (flavor cu130, C++11 ABI 1); DJL 0.36.0");
        String cache = work + "/djl-cache/pytorch/2.11.0-cu130-linux-x86_64";
        assertThat(r.out()).contains("# JNI library for DJL: " + cache + "/0.36.0-libdjl_torch.so");
        List<String> steps = r.out().lines().filter(l -> l.startsWith("[")).toList();
        assertThat(steps).extracting(l -> l.substring(1, l.indexOf(','))).containsExactly("build", "build", "golden",
                "golden-reference", "bench-qwen3-8b", "reference-qwen3-8b", "batching-qwen3-0.6b", "bench-qwen3-0.6b",
                "reference-qwen3-0.6b");
        // CMake against the torch package's own config, CUDA on; then the g++ fallback; both install where DJL looks.
        assertThat(steps.get(0)).contains("JAVA_HOME='" + work + "/jre' cmake -S '" + kit
                        + "/djl/engines/pytorch/pytorch-native'", "-DCMAKE_PREFIX_PATH='" + torch + "/share/cmake'",
                "-DUSE_CUDA=1", "cp '" + work + "/djl-build/cmake/libdjl_torch.so' '" + cache);
        assertThat(steps.get(1)).contains("g++ -std=c++17", "-D_GLIBCXX_USE_CXX11_ABI=1", "-I" + torch + "/include",
                "-L'" + torch + "/lib'", "-ltorch -ltorch_cpu -lc10");
        assertThat(steps.get(2)).contains("PYTORCH_LIBRARY_PATH=" + torch + "/lib", "PYTORCH_VERSION=2.11.0",
                "PYTORCH_FLAVOR=cu130", "ENGINE_CACHE_DIR=" + work + "/djl-cache", work + "/jre/bin/java",
                "-Dai.djl.offline=true", "-Dhogwild.device=gpu", "io.hogwild.engine.cli.EngineCli golden --fixtures "
                        + kit + "/golden --dtypes float32\\,bfloat16", ">'" + out + "/golden.json'");
        assertThat(steps.get(3)).contains(python + " " + kit + "/python/transformers_reference.py golden");
        assertThat(steps.get(4)).contains("EngineCli bench --shape qwen3-8b --workers 1\\,2\\,4\\,8 --context"
                + " 1024\\,8192\\,16384", "--modes shared --dtype bfloat16");
        assertThat(steps.get(5)).contains("transformers_reference.py speed --shape qwen3-8b");
        assertThat(steps.get(6)).contains("EngineCli bench --shape qwen3-0.6b --sessions 4 --workers 2 --context 2048",
                "--modes shared --dtype bfloat16", ">'" + work + "/batching-qwen3-0.6b.json'");
        // A dry run executes nothing.
        assertThat(out).doesNotExist();
        assertThat(work).doesNotExist();
    }

    @Test
    void cpuTorchGivesTheCpuFlavourAndNoCudaBuild() {
        Path torch = fakeTorch(tmp.resolve("torch"), "2.7.1", "None");
        GpuCheckScript.Result r = GpuCheckScript.run(tmp, "run", "--kit", kit.toString(), "--torch-dir",
                torch.toString(), "--work", tmp.resolve("w").toString(), "--parts", "build", "--dry-run");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("/djl-cache/pytorch/2.7.1-cpu-linux-x86_64/0.36.0-libdjl_torch.so")
                .doesNotContain("USE_CUDA");
    }

    /**
     * The run step for real, on the CPU: the kit's Java runtime and jars (no libtorch, no DJL JNI jar) load the CPU
     * libtorch that DJL unpacked for this test JVM, through a fake torch package, and the JNI library given with
     * --jni-lib from where the build part would have put its own.
     */
    @Test
    void cpuRunOfTheGoldenCheckWithTheKitsRuntimeWritesJsonAndASummary() throws IOException {
        Engine.getEngine("PyTorch");
        Path libtorch = Path.of(LibUtils.getLibtorchPath());
        Path jni;
        try (Stream<Path> files = Files.list(libtorch)) {
            jni = files.filter(f -> f.getFileName().toString().endsWith("-libdjl_torch.so")).findFirst().orElseThrow();
        }
        Path torch = fakeTorch(tmp.resolve("torch"), "2.7.1", "None");
        deleteFakeLib(torch);
        Files.createSymbolicLink(torch.resolve("lib"), libtorch);
        Path out = tmp.resolve("out");
        GpuCheckScript.Result r = GpuCheckScript.run(tmp, "run", "--kit", kit.toString(), "--torch-dir",
                torch.toString(), "--work", tmp.resolve("work").toString(), "--out", out.toString(), "--device", "cpu",
                "--parts", "build,golden", "--models", "qwen3-tiny", "--dtypes", "float32,float16", "--jni-lib",
                jni.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(names(out)).containsExactlyInAnyOrder("golden.json", "summary.json", "logs.txt");
        JsonNode golden = JSON.readTree(out.resolve("golden.json").toFile());
        assertThat(golden.path("device").asString()).isEqualTo("cpu()");
        assertThat(golden.path("rows").size()).isEqualTo(4);
        JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        assertThat(summary.path("parts")).extracting(p -> p.path("part").asString() + "=" + p.path("status").asString())
                .containsExactly("build=ok", "golden=ok");
        assertThat(summary.path("golden").path("verdict").path("float32_within_1e-3").asBoolean()).isTrue();
        for (JsonNode row : summary.path("golden").path("sixteen_bit")) {
            assertThat(row.path("engine_sequences_max_diff").asDouble()).isPositive().isLessThan(0.1);
        }
        assertThat(summary.path("environment").path("jni_library").asString())
                .endsWith("/djl-cache/pytorch/2.7.1-cpu-linux-x86_64/0.36.0-libdjl_torch.so");
        assertThat(Files.readString(out.resolve("logs.txt"))).contains("===== golden");
    }

    @Test
    void theTransformersReferenceParsesItsArgumentsBeforeImportingTorch() {
        Path script = kit.resolve("python/transformers_reference.py");
        GpuCheckScript.Result r = GpuCheckScript.exec(tmp, Map.of(), List.of("python3", script.toString(), "speed",
                "--shape", "qwen3-70b", "--out", tmp.resolve("x.json").toString()));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("invalid choice", "qwen3-70b", "qwen3-0.6b", "qwen3-8b");
        assertThat(tmp.resolve("x.json")).doesNotExist();
    }

    @Test
    void aFailedBuildSkipsTheEnginePartsAndStillWritesTheSummary() throws IOException {
        // A torch package without headers or libraries: both the CMake and the g++ build fail, quickly.
        Path torch = fakeTorch(tmp.resolve("torch"), "2.11.0+cu130", "'13.0'");
        Path out = tmp.resolve("out");
        GpuCheckScript.Result r = GpuCheckScript.run(tmp, "run", "--kit", kit.toString(), "--torch-dir",
                torch.toString(), "--work", tmp.resolve("work").toString(), "--out", out.toString(), "--parts",
                "build,golden,bench-qwen3-8b");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().lines().reduce((a, b) -> b).orElseThrow()).isEqualTo("gpu-check: run: some parts failed or"
                + " ran out of time (see " + out + "/summary.json and " + out + "/logs.txt)");
        JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        assertThat(summary.path("parts")).extracting(p -> p.path("part").asString() + "=" + p.path("status").asString())
                .containsExactly("build=failed", "golden=skipped", "bench-qwen3-8b=skipped");
        assertThat(summary.path("parts").get(0).path("tries").asInt()).isEqualTo(2);
        assertThat(Files.readString(out.resolve("logs.txt"))).contains("===== build", "no JNI library (build: failed)");
    }

    /** A torch package as far as discovery reads one: version.py, lib/libtorch.so, its CMake config. */
    static Path fakeTorch(Path dir, String version, String cuda) {
        try {
            Files.createDirectories(dir.resolve("lib"));
            Files.createDirectories(dir.resolve("share/cmake/Torch"));
            Files.writeString(dir.resolve("version.py"), "from typing import Optional\n__version__ = '" + version
                    + "'\ndebug = False\ncuda: Optional[str] = " + cuda + "\n");
            Files.writeString(dir.resolve("lib/libtorch.so"), "");
            Files.writeString(dir.resolve("share/cmake/Torch/TorchConfig.cmake"),
                    "set(TORCH_CXX_FLAGS \"-D_GLIBCXX_USE_CXX11_ABI=1\")\n");
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteFakeLib(Path torch) throws IOException {
        Files.delete(torch.resolve("lib/libtorch.so"));
        Files.delete(torch.resolve("lib"));
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
