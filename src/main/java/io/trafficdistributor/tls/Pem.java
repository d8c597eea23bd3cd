package io.trafficdistributor.tls;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** The blocks of a PEM text ({@code -----BEGIN TYPE-----}, base64, {@code -----END TYPE-----}), in order. */
final class Pem {

    /** One decoded block: its type ({@code CERTIFICATE}, {@code PRIVATE KEY}, …) and its DER bytes. */
    record Block(String type, byte[] der) {
    }

    private static final String BEGIN = "-----BEGIN ";
    private static final String END = "-----END ";
    private static final String DASHES = "-----";

    private Pem() {
    }

    /**
     * Every block of {@code text}; text between blocks (OpenSSL's "Bag Attributes", comments) is ignored.
     *
     * @throws IllegalArgumentException for a block without its end line or with bad base64; the message says
     *                                  which block, never what it holds
     */
    static List<Block> blocks(String text) {
        List<Block> blocks = new ArrayList<>();
        String[] lines = text.replace("\r", "").split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].trim();
            if (!line.startsWith(BEGIN) || !line.endsWith(DASHES) || line.length() <= BEGIN.length() + DASHES.length()) {
                continue;
            }
            String type = line.substring(BEGIN.length(), line.length() - DASHES.length());
            String endLine = END + type + DASHES;
            StringBuilder base64 = new StringBuilder();
            int j = i + 1;
            for (; j < lines.length && !lines[j].trim().equals(endLine); j++) {
                String body = lines[j].trim();
                if (body.startsWith(BEGIN)) {
                    throw new IllegalArgumentException("PEM block " + (blocks.size() + 1) + " (" + type
                            + ") has no END line before the next BEGIN line");
                }
                if (body.contains(":")) {
                    continue; // RFC 1421 headers (Proc-Type, DEK-Info) of legacy encrypted keys
                }
                base64.append(body);
            }
            if (j == lines.length) {
                throw new IllegalArgumentException("PEM block " + (blocks.size() + 1) + " (" + type + ") has no line '"
                        + endLine + "'");
            }
            byte[] der;
            try {
                der = Base64.getDecoder().decode(base64.toString());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("PEM block " + (blocks.size() + 1) + " (" + type + ") is not valid base64");
            }
            if (der.length == 0) {
                throw new IllegalArgumentException("PEM block " + (blocks.size() + 1) + " (" + type + ") is empty");
            }
            blocks.add(new Block(type, der));
            i = j;
        }
        return blocks;
    }
}
