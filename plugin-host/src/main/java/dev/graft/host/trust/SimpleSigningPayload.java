package dev.graft.host.trust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Objects;

/**
 * The "simple signing" JSON payload that cosign signs for a container image (its key-based, non-keyless
 * form): {@code {"critical":{"identity":{"docker-reference":R},"image":{"docker-manifest-digest":D},
 * "type":"cosign container image signature"},"optional":null}}. The signature covers the payload's exact
 * bytes, so they are kept as stored, never re-serialised before verification.
 *
 * @param dockerReference the repository the signer named (informative; not checked, as in cosign)
 * @param manifestDigest {@code sha256:<hex>} of the signed image manifest
 */
public record SimpleSigningPayload(String dockerReference, String manifestDigest) {

    /** The {@code critical.type} of a cosign container image signature. */
    public static final String TYPE = "cosign container image signature";
    /** Media type of the payload layer in a cosign signature manifest. */
    public static final String MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";
    /** Layer annotation holding the base64 signature over the payload. */
    public static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";

    private static final ObjectMapper JSON = new ObjectMapper();

    public SimpleSigningPayload {
        Objects.requireNonNull(dockerReference, "dockerReference");
        Objects.requireNonNull(manifestDigest, "manifestDigest");
    }

    /** The payload's JSON bytes, in cosign's field order. */
    public byte[] toJson() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode critical = root.putObject("critical");
        critical.putObject("identity").put("docker-reference", dockerReference);
        critical.putObject("image").put("docker-manifest-digest", manifestDigest);
        critical.put("type", TYPE);
        root.putNull("optional");
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Parses payload bytes.
     *
     * @throws IllegalArgumentException when they are not a cosign container image signature payload
     */
    public static SimpleSigningPayload parse(byte[] json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("the simple-signing payload is not JSON: " + e.getMessage(), e);
        }
        JsonNode critical = root == null ? null : root.get("critical");
        if (critical == null || !critical.isObject()) {
            throw new IllegalArgumentException("the simple-signing payload has no 'critical' object");
        }
        String type = critical.path("type").asText("");
        if (!TYPE.equals(type)) {
            throw new IllegalArgumentException("the simple-signing payload's type is '" + type + "', not '" + TYPE + "'");
        }
        String digest = critical.path("image").path("docker-manifest-digest").asText("");
        if (!digest.matches("sha256:[0-9a-f]{64}")) {
            throw new IllegalArgumentException("the simple-signing payload names no sha256 manifest digest ('" + digest + "')");
        }
        return new SimpleSigningPayload(critical.path("identity").path("docker-reference").asText(""), digest);
    }
}
