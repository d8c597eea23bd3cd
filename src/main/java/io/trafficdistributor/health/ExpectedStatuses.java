package io.trafficdistributor.health;

/**
 * A health check's {@code expectedStatuses}, such as {@code 200-299,302}, parsed once. Equal when written
 * alike, so that probe settings that read the same are the same.
 */
public final class ExpectedStatuses {

    private final String text;
    private final int[] ranges; // pairs: low, high

    private ExpectedStatuses(String text, int[] ranges) {
        this.text = text;
        this.ranges = ranges;
    }

    /** Parses a list the API has validated: codes and ranges separated by commas, spaces allowed around them. */
    public static ExpectedStatuses parse(String list) {
        String text = list.replace(" ", "");
        String[] parts = text.split(",");
        int[] ranges = new int[parts.length * 2];
        for (int i = 0; i < parts.length; i++) {
            String[] bounds = parts[i].split("-");
            ranges[2 * i] = Integer.parseInt(bounds[0]);
            ranges[2 * i + 1] = Integer.parseInt(bounds[bounds.length - 1]);
        }
        return new ExpectedStatuses(text, ranges);
    }

    public boolean matches(int status) {
        for (int i = 0; i < ranges.length; i += 2) {
            if (status >= ranges[i] && status <= ranges[i + 1]) {
                return true;
            }
        }
        return false;
    }

    /** The list as written (without spaces), e.g. for "status 500, expected 200-399". */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ExpectedStatuses that && text.equals(that.text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
