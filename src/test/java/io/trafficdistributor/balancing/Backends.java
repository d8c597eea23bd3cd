package io.trafficdistributor.balancing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/** Backends for the balancer tests: named a, b, c, ... in list order. */
final class Backends {

    /** @param availableSince when its slow-start ramp started, or {@link SlowStart#ALWAYS} */
    record Backend(String name, int index, int weight, long availableSince) implements BalancedBackend {

        Backend(String name, int index, int weight) {
            this(name, index, weight, SlowStart.ALWAYS);
        }

        /** The same backend, ramping up since {@code since}. */
        Backend rampingSince(long since) {
            return new Backend(name, index, weight, since);
        }
    }

    private Backends() {
    }

    static List<Backend> weighted(int... weights) {
        return IntStream.range(0, weights.length)
                .mapToObj(i -> new Backend(String.valueOf((char) ('a' + i)), i, weights[i])).toList();
    }

    /** Available: every backend not named. */
    static Predicate<Backend> down(String... names) {
        Set<String> down = Set.of(names);
        return backend -> !down.contains(backend.name());
    }

    static List<Backend> candidates(List<Backend> backends, Predicate<Backend> available) {
        return backends.stream().filter(available).toList();
    }

    /** The names of {@code count} picks for new clients. */
    static List<String> picks(Balancer balancer, List<Backend> candidates, int count) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add(balancer.pick(candidates, null).name());
        }
        return names;
    }

    /** How many of the picks went to each backend, in list order. */
    static int[] counts(List<Backend> backends, List<String> picks) {
        Map<String, Integer> byName = new HashMap<>();
        picks.forEach(name -> byName.merge(name, 1, Integer::sum));
        return backends.stream().mapToInt(b -> byName.getOrDefault(b.name(), 0)).toArray();
    }

    static long count(List<String> picks, String name) {
        return picks.stream().filter(name::equals).count();
    }
}
