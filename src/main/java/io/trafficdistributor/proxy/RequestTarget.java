package io.trafficdistributor.proxy;

import java.util.Locale;

/**
 * The request target as the backend will get it (RFC 9112 §3.2): origin-form, with its dot segments resolved
 * (RFC 3986 §5.2.4) before the backend's base path is put in front, so that no request reaches a path
 * outside that base path, however the backend decodes it. What cannot be made safe is refused with a 400
 * rather than repaired, because a repaired target is one that two parsers may read differently.
 * <p>
 * Runs on every request: a clean target ({@code /}, a path with no {@code %} and no dot segment) comes back as
 * the very string that came in.
 */
final class RequestTarget {

    /**
     * Either the origin-form target to send ({@code pathAndQuery}), with the {@code authority} to route by
     * when the client sent absolute-form, or the {@code error} to answer with a 400.
     */
    record Result(String pathAndQuery, String authority, String error) {

        boolean isError() {
            return error != null;
        }
    }

    static final String NOT_A_TARGET = "The request target must start with '/' or be an absolute http(s) URI.";
    static final String CONTROL = "The request target contains a control character or a space.";
    static final String NOT_ASCII = "The request target contains a character that is not ASCII.";
    static final String FRAGMENT = "The request target must not contain a fragment ('#').";
    static final String BACKSLASH = "The request target's path contains a backslash.";
    static final String ASTERISK = "The request target '*' is only allowed with OPTIONS.";
    static final String MALFORMED_PERCENT = "The request target contains a malformed percent-encoding.";
    static final String ENCODED_SEPARATOR = "The request target has an encoded path separator next to a dot segment.";
    static final String USERINFO = "The request target must not contain user information ('@').";
    static final String BAD_AUTHORITY = "The request target's host is not a valid host name or address.";

    private static final Result ASTERISK_FORM = new Result("*", null, null);

    private static final Result NOT_A_TARGET_ERROR = failure(NOT_A_TARGET);
    private static final Result CONTROL_ERROR = failure(CONTROL);
    private static final Result NOT_ASCII_ERROR = failure(NOT_ASCII);
    private static final Result FRAGMENT_ERROR = failure(FRAGMENT);
    private static final Result BACKSLASH_ERROR = failure(BACKSLASH);
    private static final Result ASTERISK_ERROR = failure(ASTERISK);
    private static final Result MALFORMED_PERCENT_ERROR = failure(MALFORMED_PERCENT);
    private static final Result ENCODED_SEPARATOR_ERROR = failure(ENCODED_SEPARATOR);
    private static final Result USERINFO_ERROR = failure(USERINFO);
    private static final Result BAD_AUTHORITY_ERROR = failure(BAD_AUTHORITY);

    private static final int NOT_DOT = 0;
    private static final int DOT = 1;
    private static final int DOT_DOT = 2;

    private RequestTarget() {
    }

    /**
     * The target of a request with {@code method} (not CONNECT, which the caller refuses before), as the
     * backend should see it. Error texts never repeat the client's bytes.
     */
    static Result parse(String method, String rawTarget) {
        if (rawTarget == null || rawTarget.isEmpty()) {
            return NOT_A_TARGET_ERROR;
        }
        Result unsafe = unsafeCharacter(rawTarget);
        if (unsafe != null) {
            return unsafe;
        }
        if (rawTarget.charAt(0) == '/') {
            return originForm(rawTarget, 0, null);
        }
        if (rawTarget.equals("*")) {
            return "OPTIONS".equals(method) ? ASTERISK_FORM : ASTERISK_ERROR;
        }
        int authorityStart = authorityStart(rawTarget);
        return authorityStart < 0 ? NOT_A_TARGET_ERROR : absoluteForm(rawTarget, authorityStart);
    }

    /**
     * The path the backend gets: its {@code basePath} ("" or like {@code /public}, no trailing slash) in front
     * of a target {@link #parse} returned. An asterisk-form target names the server, not a path, so it stays.
     */
    static String withBasePath(String basePath, String pathAndQuery) {
        if (basePath == null || basePath.isEmpty() || "*".equals(pathAndQuery)) {
            return pathAndQuery;
        }
        return basePath + pathAndQuery;
    }

    /**
     * Bytes no target may hold: outside visible ASCII (HTTP/1.1 request smuggling and log injection ride on
     * these), a fragment (a client never sends one; a backend may cut the path at it), and a backslash in the
     * path (some backends read it as {@code /}, which would hide a {@code ..} from this check).
     */
    private static Result unsafeCharacter(String target) {
        boolean inQuery = false;
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c < 0x21 || c == 0x7f) {
                return CONTROL_ERROR;
            }
            if (c > 0x7e) {
                return NOT_ASCII_ERROR;
            }
            if (c == '#') {
                return FRAGMENT_ERROR;
            }
            if (c == '?') {
                inQuery = true;
            } else if (c == '\\' && !inQuery) {
                return BACKSLASH_ERROR;
            }
        }
        return null;
    }

    /** Where the authority of an {@code http://} or {@code https://} target (scheme in any case) starts, or -1. */
    private static int authorityStart(String target) {
        if (target.regionMatches(true, 0, "http://", 0, 7)) {
            return 7;
        }
        if (target.regionMatches(true, 0, "https://", 0, 8)) {
            return 8;
        }
        return -1;
    }

    /**
     * Absolute-form (RFC 9112 §3.2.2): routed by its authority, which replaces Host, and sent on as
     * origin-form. Userinfo is refused: {@code http://trusted@evil/} reads as either host depending on who reads.
     */
    private static Result absoluteForm(String target, int authorityStart) {
        int authorityEnd = authorityStart;
        while (authorityEnd < target.length() && target.charAt(authorityEnd) != '/'
                && target.charAt(authorityEnd) != '?') {
            authorityEnd++;
        }
        String authority = target.substring(authorityStart, authorityEnd);
        if (authority.indexOf('@') >= 0) {
            return USERINFO_ERROR;
        }
        if (HostHeader.host(authority) == null) {
            return BAD_AUTHORITY_ERROR;
        }
        authority = authority.toLowerCase(Locale.ROOT);
        if (authorityEnd == target.length() || target.charAt(authorityEnd) == '?') {
            return originForm("/" + target.substring(authorityEnd), 0, authority);
        }
        return originForm(target, authorityEnd, authority);
    }

    /** {@code target} from {@code pathStart} (a {@code /}) on: the path normalised, the query kept byte for byte. */
    private static Result originForm(String target, int pathStart, String authority) {
        int query = target.indexOf('?', pathStart);
        int pathEnd = query < 0 ? target.length() : query;
        if (!mayNeedNormalising(target, pathStart, pathEnd)) {
            return new Result(pathStart == 0 ? target : target.substring(pathStart), authority, null);
        }
        Result invalid = invalidPath(target, pathStart, pathEnd);
        if (invalid != null) {
            return invalid;
        }
        String normalised = hasDotSegment(target, pathStart, pathEnd)
                ? removeDotSegments(target, pathStart, pathEnd)
                : (pathStart == 0 ? target : target.substring(pathStart));
        return new Result(normalised, authority, null);
    }

    /** The cheap test that lets the common path through untouched: no {@code %} and no literal dot segment. */
    private static boolean mayNeedNormalising(String target, int from, int to) {
        for (int i = from + 1; i < to; i++) {
            char c = target.charAt(i);
            if (c == '%' || (c == '.' && target.charAt(i - 1) == '/' && isLiteralDotSegment(target, i, to))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isLiteralDotSegment(String target, int dot, int to) {
        int next = dot + 1;
        if (next == to || target.charAt(next) == '/') {
            return true;
        }
        return target.charAt(next) == '.' && (next + 1 == to || target.charAt(next + 1) == '/');
    }

    /**
     * A malformed percent-encoding (no two hex digits after {@code %}), or an encoded {@code /} or {@code \}
     * inside a segment that would leave a dot segment behind once a backend decodes it: {@code /..%2fsecret}
     * is one harmless segment here and {@code ../secret} there. An encoded separator beside ordinary
     * characters ({@code group%2Fproject}) is data and passes.
     */
    private static Result invalidPath(String target, int from, int to) {
        int segmentStart = from + 1;
        for (int i = from + 1; i <= to; i++) {
            if (i == to || target.charAt(i) == '/') {
                if (dotSegment(target, segmentStart, i) == NOT_DOT && hidesDotSegment(target, segmentStart, i)) {
                    return ENCODED_SEPARATOR_ERROR;
                }
                segmentStart = i + 1;
            } else if (target.charAt(i) == '%') {
                if (i + 2 >= to || IpLiteral.hexValue(target.charAt(i + 1)) < 0
                        || IpLiteral.hexValue(target.charAt(i + 2)) < 0) {
                    return MALFORMED_PERCENT_ERROR;
                }
                i += 2;
            }
        }
        return null;
    }

    /** Whether, split at encoded separators, the segment {@code [from, to)} has a dot segment in it. */
    private static boolean hidesDotSegment(String target, int from, int to) {
        int partStart = from;
        for (int i = from; i + 2 < to; i++) {
            if (isEncodedSeparator(target, i)) {
                if (dotSegment(target, partStart, i) != NOT_DOT) {
                    return true;
                }
                partStart = i + 3;
                i += 2;
            }
        }
        return partStart != from && dotSegment(target, partStart, to) != NOT_DOT;
    }

    private static boolean isEncodedSeparator(String target, int i) {
        if (target.charAt(i) != '%') {
            return false;
        }
        char high = target.charAt(i + 1);
        char low = target.charAt(i + 2);
        return (high == '2' && (low == 'f' || low == 'F')) || (high == '5' && (low == 'c' || low == 'C'));
    }

    private static boolean hasDotSegment(String target, int from, int to) {
        int segmentStart = from + 1;
        for (int i = from + 1; i <= to; i++) {
            if (i == to || target.charAt(i) == '/') {
                if (dotSegment(target, segmentStart, i) != NOT_DOT) {
                    return true;
                }
                segmentStart = i + 1;
            }
        }
        return false;
    }

    /**
     * RFC 3986 §5.2.4 on an absolute path, with a segment counted as {@code .} or {@code ..} by its decoded
     * value, since that is what a decoding backend resolves. {@code ..} at the root stays at the root; a
     * trailing dot segment leaves a trailing slash; every other segment is kept as written.
     */
    private static String removeDotSegments(String target, int from, int to) {
        StringBuilder path = new StringBuilder(target.length() - from);
        int segmentStart = from + 1;
        for (int i = from + 1; i <= to; i++) {
            if (i == to || target.charAt(i) == '/') {
                int dots = dotSegment(target, segmentStart, i);
                if (dots == DOT_DOT) {
                    path.setLength(Math.max(path.lastIndexOf("/"), 0));
                }
                if (dots == NOT_DOT) {
                    path.append('/').append(target, segmentStart, i);
                } else if (i == to) {
                    path.append('/');
                }
                segmentStart = i + 1;
            }
        }
        return path.append(target, to, target.length()).toString();
    }

    /** Whether {@code [from, to)} decodes to {@code .} ({@link #DOT}) or {@code ..} ({@link #DOT_DOT}). */
    private static int dotSegment(String target, int from, int to) {
        int dots = 0;
        int i = from;
        while (i < to && dots < 3) {
            if (target.charAt(i) == '.') {
                i++;
            } else if (isEncodedDot(target, i, to)) {
                i += 3;
            } else {
                return NOT_DOT;
            }
            dots++;
        }
        return i == to && dots <= 2 ? dots : NOT_DOT;
    }

    private static boolean isEncodedDot(String target, int i, int to) {
        return i + 2 < to && target.charAt(i) == '%' && target.charAt(i + 1) == '2'
                && (target.charAt(i + 2) == 'e' || target.charAt(i + 2) == 'E');
    }

    private static Result failure(String error) {
        return new Result(null, null, error);
    }
}
