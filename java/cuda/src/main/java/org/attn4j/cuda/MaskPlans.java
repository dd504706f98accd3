package org.attn4j.cuda;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.attn4j.cuda.bridge.CudaBridge;

/**
 * A small least-recently-used cache of mask plans (the compressed tile rows and columns a mask shape needs, built
 * on the host and kept on the device), so that repeated calls with the same masks skip the host work and the upload.
 * Plans in use by a running call are never destroyed; an evicted one goes when its last user releases it.
 */
final class MaskPlans {
    /** {@code -Dattn4j.cuda.maxPlans=N}: how many plans stay cached (default 16). */
    static final int MAX_PLANS = Math.max(1, Integer.getInteger("attn4j.cuda.maxPlans", 16));

    private static final Map<PlanKey, Plan> PLANS = new LinkedHashMap<>(16, 0.75f, true);

    private MaskPlans() {
    }

    private static final class Plan {
        final long handle;
        final int device;
        int users;
        boolean evicted;

        Plan(long handle, int device) {
            this.handle = handle;
            this.device = device;
        }
    }

    /** A plan held by one call; closing it releases the plan. */
    static final class Lease implements AutoCloseable {
        private Plan plan;

        private Lease(Plan plan) {
            this.plan = plan;
        }

        long handle() {
            return plan.handle;
        }

        @Override
        public void close() {
            Plan p = plan;
            plan = null;
            if (p != null) {
                release(p);
            }
        }
    }

    /** The plan for {@code key}, built on first use. */
    static Lease acquire(PlanKey key) {
        List<Plan> dead = new ArrayList<>();
        Lease lease;
        synchronized (MaskPlans.class) {
            Plan p = PLANS.get(key);
            if (p == null) {
                byte[] cells = key.blockCells();
                long[] out = new long[1];
                CudaErrors.check(CudaBridge.attn4j_plan_create(key.device, key.descriptor(), NativeAbi.PLAN_COUNT,
                        cells, cells != null ? cells.length : 0, out), "mask plan");
                p = new Plan(out[0], key.device);
                PLANS.put(key, p);
            }
            p.users++;
            lease = new Lease(p);
            Iterator<Map.Entry<PlanKey, Plan>> it = PLANS.entrySet().iterator();
            while (PLANS.size() > MAX_PLANS && it.hasNext()) {
                Plan eldest = it.next().getValue();
                if (eldest == p) {
                    continue;
                }
                it.remove();
                eldest.evicted = true;
                if (eldest.users == 0) {
                    dead.add(eldest);
                }
            }
        }
        destroy(dead);
        return lease;
    }

    /** Destroys every cached plan nobody uses (tests, shutdown). */
    static void clear() {
        List<Plan> dead = new ArrayList<>();
        synchronized (MaskPlans.class) {
            for (Plan p : PLANS.values()) {
                p.evicted = true;
                if (p.users == 0) {
                    dead.add(p);
                }
            }
            PLANS.clear();
        }
        destroy(dead);
    }

    static synchronized int size() {
        return PLANS.size();
    }

    private static void release(Plan p) {
        boolean destroy;
        synchronized (MaskPlans.class) {
            p.users--;
            destroy = p.evicted && p.users == 0;
        }
        if (destroy) {
            destroy(List.of(p));
        }
    }

    private static void destroy(List<Plan> plans) {
        for (Plan p : plans) {
            CudaErrors.check(CudaBridge.attn4j_plan_destroy(p.handle), "mask plan release on cuda:" + p.device);
        }
    }
}
