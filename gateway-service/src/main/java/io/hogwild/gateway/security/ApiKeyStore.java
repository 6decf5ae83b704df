package io.hogwild.gateway.security;

import io.hogwild.gateway.config.GatewayProperties;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * The accepted API keys, held only as SHA-256 digests: from the key files ({@code <name>:<sha256-hex>} per line, the
 * Helm Secret's layout) and, for local development, from plaintext keys in the environment that are hashed here and
 * not kept. The files are re-read when they change, because Kubernetes updates mounted Secrets in place.
 *
 * <p>Nothing here ever logs a key, a digest or a line of a key file: a malformed line is reported by file and line
 * number only, since it may be a key pasted by mistake.
 */
@Component
public class ApiKeyStore {

    private static final Logger log = LoggerFactory.getLogger(ApiKeyStore.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

    private record Entry(byte[] digest, ApiPrincipal principal) {}

    private final GatewayProperties properties;
    private final List<Entry> devEntries;
    private volatile List<Entry> entries;
    private volatile byte[] filesFingerprint;
    private final Disposable reloader;

    public ApiKeyStore(GatewayProperties properties) {
        this.properties = properties;
        List<Entry> dev = new ArrayList<>();
        GatewayProperties.DevKeys keys = properties.devKeys();
        if (keys.user() != null && !keys.user().isBlank()) {
            dev.add(new Entry(sha256(keys.user().trim()), new ApiPrincipal("dev-user", ApiPrincipal.Role.USER)));
        }
        if (keys.admin() != null && !keys.admin().isBlank()) {
            dev.add(new Entry(sha256(keys.admin().trim()), new ApiPrincipal("dev-admin", ApiPrincipal.Role.ADMIN)));
        }
        this.devEntries = List.copyOf(dev);
        // A broken key file at start is a configuration error: fail loudly rather than refuse every request later.
        this.filesFingerprint = fingerprint();
        this.entries = load();
        if (entries.isEmpty()) {
            log.warn("No API keys configured (hogwild.gateway.api-keys-file, admin-keys-file, HOGWILD_API_KEY, "
                    + "HOGWILD_ADMIN_KEY): every authenticated request will be refused with 401");
        } else {
            log.info("API keys loaded: {} user, {} admin", count(ApiPrincipal.Role.USER), count(ApiPrincipal.Role.ADMIN));
        }
        this.reloader = Flux.interval(properties.security().keysReloadInterval(), Schedulers.boundedElastic())
                .subscribe(tick -> reloadIfChanged());
    }

    /**
     * The principal whose digest equals the presented key's. Every stored digest is compared, each in constant time,
     * so the time taken does not reveal which (or whether any) entry matched.
     */
    public Optional<ApiPrincipal> authenticate(String presentedKey) {
        byte[] digest = sha256(presentedKey);
        ApiPrincipal found = null;
        for (Entry entry : entries) {
            boolean equal = MessageDigest.isEqual(entry.digest(), digest);
            if (equal && found == null) {
                found = entry.principal();
            }
        }
        return Optional.ofNullable(found);
    }

    public int size() {
        return entries.size();
    }

    /** Re-reads the key files; a file that became unreadable or malformed keeps the keys loaded before. */
    public void reloadIfChanged() {
        try {
            byte[] now = fingerprint();
            if (Arrays.equals(now, filesFingerprint)) {
                return;
            }
            List<Entry> loaded = load();
            entries = loaded;
            filesFingerprint = now;
            log.info("API key files changed: {} user, {} admin keys now", count(ApiPrincipal.Role.USER),
                    count(ApiPrincipal.Role.ADMIN));
        } catch (RuntimeException e) {
            log.warn("API key files could not be reloaded, keeping the previous keys: {}", e.getMessage());
        }
    }

    private long count(ApiPrincipal.Role role) {
        return entries.stream().filter(e -> e.principal().role() == role).count();
    }

    private List<Entry> load() {
        // Keyed by digest: a key listed as both user and admin is an admin key.
        Map<String, Entry> byDigest = new LinkedHashMap<>();
        List<Entry> all = new ArrayList<>(devEntries);
        all.addAll(readFile(properties.apiKeysFile(), ApiPrincipal.Role.USER));
        all.addAll(readFile(properties.adminKeysFile(), ApiPrincipal.Role.ADMIN));
        for (Entry entry : all) {
            String hex = HexFormat.of().formatHex(entry.digest());
            Entry before = byDigest.get(hex);
            if (before == null || entry.principal().admin()) {
                byDigest.put(hex, entry);
            }
        }
        return List.copyOf(byDigest.values());
    }

    private static List<Entry> readFile(Path file, ApiPrincipal.Role role) {
        if (file == null || file.toString().isBlank()) {
            return List.of();
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the " + role.name().toLowerCase() + " API keys file " + file,
                    e);
        }
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.lastIndexOf(':');
            String name = colon > 0 ? line.substring(0, colon).strip() : "";
            String hex = colon > 0 ? line.substring(colon + 1).strip() : "";
            if (!NAME.matcher(name).matches() || !SHA256_HEX.matcher(hex).matches()) {
                throw new IllegalStateException("API keys file " + file + " line " + (i + 1)
                        + ": expected <name>:<sha256-hex> (name [A-Za-z0-9._-]{1,64}, 64 hex digits)");
            }
            out.add(new Entry(HexFormat.of().parseHex(hex.toLowerCase()), new ApiPrincipal(name, role)));
        }
        return out;
    }

    /** A digest of both files' bytes, to notice changes without keeping their content. */
    private byte[] fingerprint() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Path file : new Path[] {properties.apiKeysFile(), properties.adminKeysFile()}) {
                if (file != null && !file.toString().isBlank() && Files.isReadable(file)) {
                    digest.update(Files.readAllBytes(file));
                }
                digest.update((byte) 0);
            }
            return digest.digest();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @PreDestroy
    void stop() {
        reloader.dispose();
    }
}
