package io.trafficdistributor.health;

/** A health check's {@code expectedStatuses}, such as {@code 200-299,302}, parsed once. */
final class ExpectedStatuses {

    private final int[] ranges; // pairs: low, high

    private ExpectedStatuses(int[] ranges) {
        this.ranges = ranges;
    }

    /** Parses a list the API has validated. */
    static ExpectedStatuses parse(String list) {
        String[] parts = list.split(",");
        int[] ranges = new int[parts.length * 2];
        for (int i = 0; i < parts.length; i++) {
            String[] bounds = parts[i].trim().split("-");
            ranges[2 * i] = Integer.parseInt(bounds[0].trim());
            ranges[2 * i + 1] = Integer.parseInt(bounds[bounds.length - 1].trim());
        }
        return new ExpectedStatuses(ranges);
    }

    boolean matches(int status) {
        for (int i = 0; i < ranges.length; i += 2) {
            if (status >= ranges[i] && status <= ranges[i + 1]) {
                return true;
            }
        }
        return false;
    }
}
