package io.trafficdistributor.balancing;

import java.util.List;
import java.util.function.Predicate;

/**
 * Picks the backend for one attempt of a request, and says what share of new traffic each backend takes. The
 * caller says which backends may take traffic now (health, and earlier attempts, are its business), always in
 * the distributor's list order; a balancer never sees health itself.
 */
public interface Balancer {

    /**
     * @param candidates non-empty, in list (priority) order
     * @param affinity   the backend the client is pinned to, or null
     */
    <B extends BalancedBackend> B pick(List<B> candidates, B affinity);

    /**
     * The share of new traffic each backend takes now, as {@link #pick} deals it: fractions of 1 in list order,
     * 0 for a backend that takes none. The status view shows these, so that it shows what traffic does.
     *
     * @param backends  all of the distributor's backends, in list (priority) order
     * @param available which of them may take traffic now (not DOWN). When none may, the proxy tries them all in
     *                  list order before giving up (probes can be wrong), so the first takes everything.
     */
    <B extends BalancedBackend> double[] shares(List<B> backends, Predicate<? super B> available);
}
