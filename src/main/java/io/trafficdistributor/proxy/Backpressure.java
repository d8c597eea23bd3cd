package io.trafficdistributor.proxy;

import io.netty.channel.Channel;

/**
 * The one back-pressure rule of the relays (response bodies, tunnels): after a write to one channel whose outbound
 * buffer is now full, the channel the bytes come from stops being read until that buffer drains (its
 * writability-changed event turns reading back on).
 */
final class Backpressure {

    private Backpressure() {
    }

    /**
     * Call after writing to {@code to} what was read from {@code from}. When {@code to} is full, pauses {@code from}
     * and flushes {@code to}: paused before the flush, whose progress may already make {@code to} writable again
     * (then {@code from} reads on at once, since no writability event will come).
     *
     * @return whether {@code to} was flushed
     */
    static boolean pauseWhileFull(Channel from, Channel to) {
        if (to.isWritable()) {
            return false;
        }
        from.config().setAutoRead(false);
        to.flush();
        if (to.isWritable()) {
            from.config().setAutoRead(true);
        }
        return true;
    }
}
