/*
 * libtorch's CPU build links Intel MKL statically, and MKL picks its matrix kernels by CPU vendor before features:
 * on an AMD CPU it never takes its AVX-512 kernels, even where the CPU has AVX-512, and its small-batch SGEMM path
 * there is slow (a [6144, 1024] weight times 8 rows: 1.7 ms, against 0.74 ms with the kernels below).
 *
 * MKL asks these two functions whether it runs on an Intel CPU. libtorch_cpu.so exports them and calls them through
 * its PLT, so this library, preloaded (LD_PRELOAD) by ./hogwild on AMD CPUs, answers yes; MKL then chooses its
 * kernels by the CPU's feature flags alone, which is what it does on Intel. Results stay within float32 rounding of
 * the default path (the engine's exactness tests run with it). HOGWILD_MKL_CPU_PATH=default turns it off.
 */
int mkl_serv_intel_cpu_true(void) { return 1; }

int mkl_serv_intel_cpu(void) { return 1; }
