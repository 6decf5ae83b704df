package io.hogwild.cli;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code hogwild solve} was asked to do. Only the problem is required; a null field is left to the gateway's
 * defaults.
 *
 * @param problem the problem text
 * @param workers how many workers collaborate (1..8)
 * @param layout how they share the cache: contiguous, interleaved, combined, independent or single
 * @param maxTokensPerWorker each worker's token budget
 * @param temperature sampling temperature
 * @param seed sampling seed
 * @param gateway the gateway's base URL ({@code --url}, else {@code HOGWILD_URL}, else http://127.0.0.1:8080)
 * @param apiKey the user API key ({@code HOGWILD_API_KEY}: never taken from the command line, where other users
 *     of the machine could read it in the process list)
 * @param checkOnly only validate the arguments ({@code --check}; the launcher calls this before it starts a
 *     platform)
 */
public record SolveOptions(String problem, Integer workers, String layout, Integer maxTokensPerWorker,
                           Double temperature, Long seed, URI gateway, String apiKey, boolean checkOnly) {

    static final List<String> LAYOUTS = List.of("combined", "interleaved", "contiguous", "independent", "single");
    static final int MAX_WORKERS = 8;

    static final String USAGE = """
            usage: hogwild solve "PROBLEM" [--workers N] [--layout L] [--max-tokens N] [--temperature T] [--seed S]
                                 [--url URL]
              --workers N       workers that collaborate, 1..8 (gateway default: 2)
              --layout L        combined (default; shared history and everyone's current step), interleaved
                                (only finished steps are shared), contiguous (everyone's whole text, live),
                                independent or single (needs --workers 1)
              --max-tokens N    token budget of each worker (default: what fits the model's context)
              --temperature T   sampling temperature, 0..5
              --seed S          sampling seed (an integer)
              --url URL         gateway base URL (default $HOGWILD_URL, else http://127.0.0.1:8080)
            The API key is read from $HOGWILD_API_KEY.""";

    /** Parses the arguments; {@code env} supplies HOGWILD_URL and HOGWILD_API_KEY. */
    public static SolveOptions parse(String[] args, Map<String, String> env) throws UsageException {
        String problem = null;
        Integer workers = null;
        String layout = null;
        Integer maxTokens = null;
        Double temperature = null;
        Long seed = null;
        String url = null;
        boolean checkOnly = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--workers" -> workers = intIn(arg, value(args, i++), 1, MAX_WORKERS);
                case "--layout" -> layout = layout(value(args, i++));
                case "--max-tokens" -> maxTokens = intIn(arg, value(args, i++), 1, Integer.MAX_VALUE);
                case "--temperature" -> temperature = temperature(value(args, i++));
                case "--seed" -> seed = seed(value(args, i++));
                case "--url" -> url = value(args, i++);
                case "--check" -> checkOnly = true;
                default -> {
                    if (arg.startsWith("--")) {
                        throw new UsageException("unknown option '" + arg + "' (see hogwild solve --help)");
                    }
                    if (problem != null) {
                        throw new UsageException("one problem only: quote it, e.g. hogwild solve \"What is 2+3?\"");
                    }
                    problem = arg;
                }
            }
        }
        if (problem == null || problem.isBlank()) {
            throw new UsageException("no problem given: hogwild solve \"PROBLEM\" [--workers N] [--layout L]");
        }
        if ("single".equals(layout) && workers != null && workers != 1) {
            throw new UsageException("layout 'single' runs one worker: use --workers 1 or another layout");
        }
        String base = url != null ? url : env.getOrDefault("HOGWILD_URL", "http://127.0.0.1:8080");
        URI gateway = gatewayUri(base);
        String apiKey = env.get("HOGWILD_API_KEY");
        if (!checkOnly && (apiKey == null || apiKey.isBlank())) {
            throw new UsageException("HOGWILD_API_KEY is not set: export the user API key of the gateway");
        }
        return new SolveOptions(problem, workers, layout, maxTokens, temperature, seed, gateway, apiKey, checkOnly);
    }

    private static String value(String[] args, int optionIndex) throws UsageException {
        if (optionIndex + 1 >= args.length || args[optionIndex + 1].startsWith("--")) {
            throw new UsageException(args[optionIndex] + " needs a value");
        }
        return args[optionIndex + 1];
    }

    private static int intIn(String option, String value, int min, int max) throws UsageException {
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        String range = max == Integer.MAX_VALUE ? "a positive integer" : "an integer from " + min + " to " + max;
        throw new UsageException(option + " must be " + range + ", got '" + value + "'");
    }

    private static String layout(String value) throws UsageException {
        String name = value.trim().toLowerCase(Locale.ROOT);
        if (!LAYOUTS.contains(name)) {
            throw new UsageException("--layout must be one of " + String.join(", ", LAYOUTS) + ", got '" + value + "'");
        }
        return name;
    }

    private static double temperature(String value) throws UsageException {
        try {
            double t = Double.parseDouble(value.trim());
            if (t >= 0 && t <= 5) {
                return t;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("--temperature must be a number from 0 to 5, got '" + value + "'");
    }

    private static long seed(String value) throws UsageException {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--seed must be an integer, got '" + value + "'");
        }
    }

    private static URI gatewayUri(String base) throws UsageException {
        try {
            URI uri = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new UsageException("gateway URL must be http(s)://host[:port], got '" + base + "'");
    }
}
