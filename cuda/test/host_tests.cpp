// Host unit tests of the CUDA engine's logic, built with g++ alone (no CUDA toolkit, no GPU): the mask model, tile
// classification and compressed rows, work ordering, selection rules, the threshold searches, the tensor-core
// fragment pairings (against an emulation of ldmatrix and mma), argument validation, and the kernels' algorithms
// run on the CPU against a float64 reference. Exit status 0 when every check passes.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "../host/args.hpp"
#include "../host/fragments.hpp"
#include "../host/mask_model.hpp"
#include "../host/selection_rules.hpp"
#include "../host/threshold_search.hpp"
#include "../host/tile_plan.hpp"
#include "../host/topk_refine.hpp"
#include "fragment_emulator.hpp"
#include "reference.hpp"

using namespace attn4j;

namespace {

int g_checks = 0;
int g_failures = 0;

#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        ++g_checks;                                                             \
        if (!(cond)) {                                                          \
            ++g_failures;                                                       \
            if (g_failures <= 40) {                                             \
                std::printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);     \
                std::printf(__VA_ARGS__);                                       \
                std::printf("\n");                                              \
            }                                                                   \
        }                                                                       \
    } while (0)

std::mt19937_64 g_rng(20240611);

int uniform(int lo, int hi) {  // inclusive
    return std::uniform_int_distribution<int>(lo, hi)(g_rng);
}

float gaussian() {
    return std::normal_distribution<float>(0.0f, 1.0f)(g_rng);
}

MaskParams random_mask(int nq, int nk) {
    MaskParams m;
    m.nq = nq;
    m.nk = nk;
    m.causal = uniform(0, 1);
    m.windowed = uniform(0, 1);
    m.left = uniform(0, nk + 3);
    m.right = uniform(0, nk / 2 + 1);
    m.global = m.windowed ? uniform(0, 5) : 0;
    return m;
}

struct GridHolder {
    std::vector<uint8_t> cells;
    CellGrid grid;
};

GridHolder random_grid(int batch, int heads, int nq, int nk, int bq, int bk, double density) {
    GridHolder g;
    g.grid.mb = batch;
    g.grid.mh = heads;
    g.grid.bq = bq;
    g.grid.bk = bk;
    g.grid.qblocks = static_cast<int32_t>(ceil_div(nq, bq));
    g.grid.kblocks = static_cast<int32_t>(ceil_div(nk, bk));
    g.cells.resize(static_cast<size_t>(batch) * heads * g.grid.qblocks * g.grid.kblocks);
    std::bernoulli_distribution on(density);
    for (auto& c : g.cells) {
        c = on(g_rng) ? 1 : 0;
    }
    g.grid.cells = g.cells.data();
    return g;
}

TileKind brute_kind(const MaskParams& m, const CellGrid* grid, int b, int h, int64_t i0, int64_t i1, int64_t j0,
                    int64_t j1) {
    bool any = false, all = true;
    for (int64_t i = i0; i < i1; ++i) {
        for (int64_t j = j0; j < j1; ++j) {
            const bool ok = static_allowed(m, i, j) && (grid == nullptr || cell_on(*grid, b, h, i, j));
            any = any || ok;
            all = all && ok;
        }
    }
    if (i0 >= i1 || j0 >= j1) {
        return TileKind::Empty;
    }
    return !any ? TileKind::Empty : (all ? TileKind::Full : TileKind::Partial);
}

/** The SPEC's causal and window rules written out pair by pair: the window is waived where j < G or 0 <= i' < G. */
bool spec_allowed(const MaskParams& m, int64_t i, int64_t j) {
    const int64_t ip = i + m.nk - m.nq;
    const bool c = !m.causal || j <= ip;
    const bool l = !m.windowed || j < m.global || (0 <= ip && ip < m.global) || (ip - m.left <= j && j <= ip + m.right);
    return c && l;
}

// ---------------------------------------------------------------------------------------------------------------
void test_mask_model() {
    // FlashAttention's local attention with Nq > Nk: Nq = 5, Nk = 1, window (0, 0) leaves rows 0..3 empty.
    MaskParams fa;
    fa.nq = 5;
    fa.nk = 1;
    fa.windowed = 1;
    for (int i = 0; i < 5; ++i) {
        int64_t iv[4];
        CHECK(row_intervals(fa, i, iv) == (i == 4 ? 1 : 0), "Nq=5 Nk=1 window(0,0): row %d", i);
        CHECK(static_allowed(fa, i, 0) == (i == 4), "Nq=5 Nk=1 window(0,0): pair (%d, 0)", i);
    }
    CHECK(classify_region(fa, nullptr, 0, 0, 0, 4, 0, 1) == TileKind::Empty, "rows with i' < 0 form an empty tile");
    for (int trial = 0; trial < 300; ++trial) {
        const int nq = uniform(1, 40);
        const int nk = uniform(1, 40);
        const MaskParams m = random_mask(nq, nk);
        for (int i = 0; i < nq; ++i) {
            for (int j = 0; j < nk; ++j) {
                CHECK(static_allowed(m, i, j) == spec_allowed(m, i, j), "static_allowed vs the SPEC at nq=%d nk=%d "
                      "i=%d j=%d", nq, nk, i, j);
            }
            int64_t iv[4];
            const int n = row_intervals(m, i, iv);
            std::vector<char> in(static_cast<size_t>(nk), 0);
            for (int t = 0; t < n; ++t) {
                CHECK(iv[2 * t] < iv[2 * t + 1], "empty interval");
                CHECK(t == 0 || iv[2 * t] > iv[2 * t - 1], "intervals not sorted and disjoint");
                for (int64_t j = iv[2 * t]; j < iv[2 * t + 1]; ++j) {
                    in[static_cast<size_t>(j)] = 1;
                }
            }
            for (int j = 0; j < nk; ++j) {
                CHECK((in[static_cast<size_t>(j)] != 0) == static_allowed(m, i, j),
                      "row_intervals vs static_allowed at i=%d j=%d", i, j);
            }
        }
        const int bq = uniform(1, 9), bk = uniform(1, 9);
        GridHolder g = random_grid(2, 3, nq, nk, bq, bk, 0.6);
        for (int rep = 0; rep < 20; ++rep) {
            const int i0 = uniform(0, nq - 1), i1 = uniform(i0 + 1, nq);
            const int j0 = uniform(0, nk - 1), j1 = uniform(j0 + 1, nk);
            const int b = uniform(0, 1), h = uniform(0, 2);
            CHECK(classify_intervals(m, i0, i1, j0, j1) == brute_kind(m, nullptr, b, h, i0, i1, j0, j1),
                  "classify_intervals");
            CHECK(classify_region(m, &g.grid, b, h, i0, i1, j0, j1) == brute_kind(m, &g.grid, b, h, i0, i1, j0, j1),
                  "classify_region with grid");
        }
    }
    // Bottom-right alignment: Nq < Nk shifts queries to the end; Nq > Nk leaves the first rows empty under causal.
    MaskParams c;
    c.nq = 2;
    c.nk = 5;
    c.causal = 1;
    CHECK(static_allowed(c, 0, 3) && !static_allowed(c, 0, 4) && static_allowed(c, 1, 4), "decode alignment");
    c.nq = 5;
    c.nk = 2;
    CHECK(!static_allowed(c, 2, 0) && static_allowed(c, 3, 0) && !static_allowed(c, 3, 1), "Nq > Nk alignment");
}

// ---------------------------------------------------------------------------------------------------------------
void check_plan(const PlanRequest& r, const HostPlan& p) {
    const int64_t mrows = static_cast<int64_t>(p.mb) * p.mh;
    CHECK(p.qtiles == ceil_div(r.mask.nq, r.tile_q) && p.ktiles == ceil_div(r.mask.nk, r.tile_k), "tile counts");
    int64_t nonempty = 0;
    for (int64_t mr = 0; mr < mrows; ++mr) {
        const int b = static_cast<int>(mr / p.mh), h = static_cast<int>(mr % p.mh);
        for (int qt = 0; qt < p.qtiles; ++qt) {
            const size_t line = static_cast<size_t>(mr * p.qtiles + qt);
            const int n = p.rows.count[line], np = p.rows.partial[line];
            CHECK(np <= n && n <= p.ktiles, "row counts");
            std::vector<int> kind(static_cast<size_t>(p.ktiles), 0);  // 0 absent, 1 partial, 2 full
            for (int e = 0; e < n; ++e) {
                const int kt = p.rows.tiles[line * p.rows.capacity + e];
                CHECK(kt >= 0 && kt < p.ktiles && kind[static_cast<size_t>(kt)] == 0, "tile listed once");
                if (kt >= 0 && kt < p.ktiles) {
                    kind[static_cast<size_t>(kt)] = e < np ? 1 : 2;
                }
                if (e > 0 && e != np) {
                    CHECK(p.rows.tiles[line * p.rows.capacity + e - 1] < kt, "ascending within each part");
                }
            }
            nonempty += n;
            for (int kt = 0; kt < p.ktiles; ++kt) {
                const int64_t i0 = static_cast<int64_t>(qt) * r.tile_q, i1 = std::min<int64_t>(r.mask.nq, i0 + r.tile_q);
                const int64_t j0 = static_cast<int64_t>(kt) * r.tile_k, j1 = std::min<int64_t>(r.mask.nk, j0 + r.tile_k);
                TileKind truth = brute_kind(r.mask, r.has_block ? &r.block : nullptr, b, h, i0, i1, j0, j1);
                if (truth == TileKind::Full && j0 + r.tile_k > r.mask.nk) {
                    truth = TileKind::Partial;
                }
                CHECK(kind[static_cast<size_t>(kt)] == static_cast<int>(truth), "row kind qt=%d kt=%d got %d want %d",
                      qt, kt, kind[static_cast<size_t>(kt)], static_cast<int>(truth));
                // Columns hold the same classification.
                const size_t col = static_cast<size_t>(mr * p.ktiles + kt);
                int ckind = 0;
                for (int e = 0; e < p.cols.count[col]; ++e) {
                    if (p.cols.tiles[col * p.cols.capacity + e] == qt) {
                        ckind = e < p.cols.partial[col] ? 1 : 2;
                    }
                }
                CHECK(ckind == static_cast<int>(truth), "column kind qt=%d kt=%d", qt, kt);
            }
        }
    }
    CHECK(nonempty == p.nonempty_tiles, "non-empty tile total");
    // Schedules are permutations, heaviest first.
    const TileListView rv{p.rows.count.data(), p.rows.partial.data(), p.rows.tiles.data(), p.rows.capacity, p.mb, p.mh,
                          p.qtiles};
    std::vector<char> seen(p.fwd_schedule.size(), 0);
    int prev = std::numeric_limits<int>::max();
    for (int32_t item : p.fwd_schedule) {
        CHECK(item >= 0 && static_cast<size_t>(item) < seen.size() && !seen[static_cast<size_t>(item)], "fwd schedule");
        seen[static_cast<size_t>(item)] = 1;
        const int qt = item % p.qtiles;
        const int bh = item / p.qtiles;
        const int64_t line = line_index(rv, bh / r.q_heads, bh % r.q_heads, qt);
        const int w = 4 * p.rows.count[static_cast<size_t>(line)] + p.rows.partial[static_cast<size_t>(line)];
        CHECK(w <= prev, "fwd schedule heaviest first");
        prev = w;
    }
    CHECK(p.fwd_schedule.size() == static_cast<size_t>(r.batch) * r.q_heads * p.qtiles, "fwd schedule size");
    std::set<int32_t> bwd(p.bwd_schedule.begin(), p.bwd_schedule.end());
    CHECK(bwd.size() == static_cast<size_t>(r.batch) * r.kv_heads * p.ktiles && *bwd.begin() == 0, "bwd schedule");
    if (r.topk_bq > 0) {
        for (int64_t mr = 0; mr < mrows; ++mr) {
            for (int qb = 0; qb < p.topk_qblocks; ++qb) {
                for (int kb = 0; kb < p.topk_kblocks; ++kb) {
                    const int64_t i0 = static_cast<int64_t>(qb) * r.topk_bq, i1 = std::min<int64_t>(r.mask.nq, i0 + r.topk_bq);
                    const int64_t j0 = static_cast<int64_t>(kb) * r.topk_bk, j1 = std::min<int64_t>(r.mask.nk, j0 + r.topk_bk);
                    const bool cand = brute_kind(r.mask, r.has_block ? &r.block : nullptr, static_cast<int>(mr / p.mh),
                                                 static_cast<int>(mr % p.mh), i0, i1, j0, j1) != TileKind::Empty;
                    CHECK((p.topk_candidates[static_cast<size_t>((mr * p.topk_qblocks + qb) * p.topk_kblocks + kb)] != 0)
                                  == cand, "top-k candidate");
                }
            }
        }
    }
}

void test_plan() {
    for (int trial = 0; trial < 120; ++trial) {
        PlanRequest r;
        r.tile_q = 16 * uniform(1, 2);
        r.tile_k = 16 * uniform(1, 2);
        r.mask = random_mask(uniform(1, 90), uniform(1, 90));
        r.batch = uniform(1, 2);
        r.kv_heads = uniform(1, 2);
        r.q_heads = r.kv_heads * uniform(1, 2);
        GridHolder g;
        if (uniform(0, 1)) {
            const int mb = uniform(0, 1) ? r.batch : 1, mh = uniform(0, 1) ? r.q_heads : 1;
            g = random_grid(mb, mh, r.mask.nq, r.mask.nk, uniform(1, 40), uniform(1, 40), 0.5);
            r.has_block = true;
            r.block = g.grid;
        }
        if (uniform(0, 1)) {
            r.topk_bq = uniform(1, 30);
            r.topk_bk = uniform(1, 30);
        }
        check_plan(r, build_plan(r));
    }
    // A plainly wrong block mask is refused with the field's name.
    PlanRequest bad;
    bad.mask.nq = 100;
    bad.mask.nk = 100;
    GridHolder g = random_grid(1, 1, 100, 100, 10, 10, 0.5);
    g.grid.kblocks = 9;
    bad.has_block = true;
    bad.block = g.grid;
    bool threw = false;
    try {
        build_plan(bad);
    } catch (const std::invalid_argument& e) {
        threw = std::string(e.what()).find("key blocks") != std::string::npos;
    }
    CHECK(threw, "build_plan rejects a wrong key-block count");
    CHECK(detail::heaviest_first({1, 3, 3, 0, 2}) == (std::vector<int32_t>{1, 2, 4, 0, 3}), "heaviest_first order");
}

// ---------------------------------------------------------------------------------------------------------------
void test_selection_rules() {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::vector<float> values = {-std::numeric_limits<float>::infinity(), -3.5f, -1e-30f, 0.0f, 1e-30f, 2.0f,
                                 3.25f, std::numeric_limits<float>::infinity(), nan};
    for (size_t a = 0; a + 1 < values.size(); ++a) {
        CHECK(float_order_key(values[a]) < float_order_key(values[a + 1]), "float order at %zu", a);
        CHECK(double_order_key(values[a]) < double_order_key(values[a + 1]), "double order at %zu", a);
    }
    // SelectionOrder: -0.0 ties +0.0 (the lower index wins); every NaN, whatever its sign, ranks first.
    CHECK(float_order_key(-0.0f) == float_order_key(0.0f), "-0.0 and +0.0 tie (float)");
    CHECK(double_order_key(-0.0) == double_order_key(0.0), "-0.0 and +0.0 tie (double)");
    CHECK(token_rank_key(-0.0f, 1) > token_rank_key(0.0f, 2), "signed zeros: the lower key first");
    CHECK(block_ranks_before(-0.0, 1, 0.0, 2) && block_ranks_before(0.0, 1, -0.0, 2), "block: signed zeros tie");
    CHECK(float_order_key(-nan) == float_order_key(nan) && double_order_key(-double(nan)) == double_order_key(nan),
          "NaN of either sign ranks first");
    CHECK(token_rank_key(nan, 7) > token_rank_key(std::numeric_limits<float>::infinity(), 0), "NaN above +inf");
    CHECK(token_rank_key(nan, 3) > token_rank_key(-nan, 4), "NaN ties go to the lower key");
    CHECK(block_ranks_before(std::nan(""), 9, std::numeric_limits<double>::infinity(), 0), "block: NaN first");
    for (int t = 0; t < 10000; ++t) {
        const float x = gaussian() * 10, y = gaussian() * 10;
        CHECK((x < y) == (float_order_key(x) < float_order_key(y)), "float order random");
        const int jx = uniform(0, 1000), jy = uniform(0, 1000);
        const bool x_first = x > y || (x == y && jx < jy);
        if (!(x == y && jx == jy)) {
            CHECK(x_first == (token_rank_key(x, jx) > token_rank_key(y, jy)), "token rank key");
        }
    }
    CHECK(token_rank_key(1.0f, 3) > token_rank_key(1.0f, 4), "ties go to the lower key index");
    CHECK(block_ranks_before(2.0, 5, 1.0, 1) && block_ranks_before(1.0, 1, 1.0, 2) && !block_ranks_before(1.0, 2, 1.0, 1),
          "block ranks");
}

// ---------------------------------------------------------------------------------------------------------------
/** Runs the token search on one row as the kernel does (one pass = exact counts); returns passes used. */
int run_token_search(const std::vector<uint64_t>& keys, int64_t k, TokenTopKSearch& s) {
    uint64_t lo = ~0ull, hi = 0;
    for (uint64_t x : keys) {
        lo = std::min(lo, x);
        hi = std::max(hi, x);
    }
    token_search_start(s, k, static_cast<int64_t>(keys.size()), lo, hi);
    int passes = 1;
    while (!s.done && passes < 18) {
        int64_t counts[kSearchPivots] = {};
        for (uint64_t x : keys) {
            if (x >= s.lo && x <= s.hi) {
                for (int m = 0; m < kSearchPivots; ++m) {
                    counts[m] += x >= token_search_pivot(s, m) ? 1 : 0;
                }
            }
        }
        token_search_update(s, counts);
        ++passes;
    }
    return passes;
}

void test_token_search() {
    int max_passes = 0;
    for (int trial = 0; trial < 3000; ++trial) {
        const int n = uniform(1, 300);
        const int64_t k = uniform(1, 320);
        const int distinct = uniform(0, 2) == 0 ? uniform(1, 4) : 1000000;  // many ties in a third of the rows
        std::vector<float> s(static_cast<size_t>(n));
        std::vector<int> j(static_cast<size_t>(n));
        int next = uniform(0, 5);
        for (int t = 0; t < n; ++t) {
            s[static_cast<size_t>(t)] = distinct < 100 ? static_cast<float>(uniform(0, distinct)) - 1.0f : gaussian() * 3;
            j[static_cast<size_t>(t)] = next;
            next += uniform(1, 3);
        }
        std::vector<uint64_t> keys(static_cast<size_t>(n));
        for (int t = 0; t < n; ++t) {
            keys[static_cast<size_t>(t)] = token_rank_key(s[static_cast<size_t>(t)], j[static_cast<size_t>(t)]);
        }
        TokenTopKSearch search;
        const int passes = run_token_search(keys, k, search);
        max_passes = std::max(max_passes, passes);
        CHECK(search.done, "token search settles within 18 passes (n=%d k=%lld)", n, static_cast<long long>(k));
        // Exact rule: sort by score descending, ties by index ascending; keep the first k.
        std::vector<int> order(static_cast<size_t>(n));
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
            return s[static_cast<size_t>(a)] > s[static_cast<size_t>(b)];
        });
        std::vector<char> want(static_cast<size_t>(n), 0);
        for (int t = 0; t < n && t < k; ++t) {
            want[static_cast<size_t>(order[static_cast<size_t>(t)])] = 1;
        }
        for (int t = 0; t < n; ++t) {
            CHECK((keys[static_cast<size_t>(t)] >= search.threshold) == (want[static_cast<size_t>(t)] != 0),
                  "token top-k keep rule (n=%d k=%lld)", n, static_cast<long long>(k));
        }
    }
    std::printf("  token search: at most %d passes over a row\n", max_passes);
}

/** Exact tau (sort-based) of sparsemax (power 1) or entmax-1.5 (power 2) over x. */
double exact_tau(const std::vector<double>& x, int power) {
    std::vector<double> z(x);
    std::sort(z.begin(), z.end(), std::greater<double>());
    double tau = 0, sum = 0, sum_sq = 0;
    for (size_t k = 1; k <= z.size(); ++k) {
        sum += z[k - 1];
        sum_sq += z[k - 1] * z[k - 1];
        if (power == 1) {
            if (1 + k * z[k - 1] > sum) {
                tau = (sum - 1) / k;
            }
        } else {
            const double mean = sum / k;
            const double t = mean - std::sqrt(std::max((1 - (sum_sq - sum * mean)) / k, 0.0));
            if (t <= z[k - 1]) {
                tau = t;
            }
        }
    }
    return tau;
}

void test_sparse_search() {
    int max_passes = 0;
    for (int trial = 0; trial < 3000; ++trial) {
        const int power = uniform(1, 2);
        const int n = uniform(1, 400);
        const float spread = std::pow(10.0f, static_cast<float>(uniform(-2, 2)));
        std::vector<float> x(static_cast<size_t>(n));
        for (auto& v : x) {
            v = gaussian() * spread;
        }
        if (uniform(0, 3) == 0) {
            for (auto& v : x) {
                v = std::round(v);  // ties
            }
        }
        float mx = -std::numeric_limits<float>::infinity();
        for (float v : x) {
            mx = std::max(mx, v);
        }
        SparseSearch s;
        int pass = 1;
        const int max_pass = 16;
        for (; pass < max_pass && !s.done; ++pass) {
            int32_t cnt[kSparsePivots] = {};
            float s1[kSparsePivots] = {}, s2[kSparsePivots] = {};
            for (float v : x) {
                const float y = v - mx;
                if (y <= s.lo) {
                    continue;
                }
                for (int m = 0; m < kSparsePivots; ++m) {
                    const float z = y - sparse_search_pivot(s, m);
                    if (z > 0) {
                        cnt[m] += 1;
                        s1[m] += z;
                        s2[m] += z * z;
                    }
                }
            }
            sparse_search_update(s, power, cnt, s1, s2, pass + 1 == max_pass);
        }
        max_passes = std::max(max_passes, pass);
        CHECK(s.done, "sparse search settles");
        std::vector<double> xd(x.begin(), x.end());
        const double want = exact_tau(xd, power);
        const double got = static_cast<double>(mx) + s.tau;
        double total = 0;
        for (double v : xd) {
            const double p = std::max(v - got, 0.0);
            total += power == 1 ? p : p * p;
        }
        CHECK(std::fabs(got - want) <= 2e-5 * (1 + std::fabs(want)), "tau power=%d n=%d got %.9g want %.9g", power, n,
              got, want);
        CHECK(std::fabs(total - 1) < 1e-4, "weights sum to 1 (power=%d n=%d): %.9g", power, n, total);
    }
    std::printf("  sparse search: at most %d passes over a row\n", max_passes);
}

// ---------------------------------------------------------------------------------------------------------------
void test_fragments() {
    constexpr int D = 64;
    constexpr int kStride = D + 8;
    std::uniform_int_distribution<int> small(-3, 3);
    // S = Q K^T for a warp's 16 query rows against 64 keys (forward scores; backward S^T = K Q^T alike).
    std::vector<float> q(16 * kStride), k(64 * kStride), v(64 * kStride);
    for (auto& x : q) x = static_cast<float>(small(g_rng));
    for (auto& x : k) x = static_cast<float>(small(g_rng));
    for (auto& x : v) x = static_cast<float>(small(g_rng));
    float s[8][32][4] = {};
    int arow[32], acol[32], brow[32], bcol[32];
    for (int l = 0; l < 32; ++l) {
        frag::a_rowmajor(l, arow[l], acol[l]);
        frag::b_from_nk(l, brow[l], bcol[l]);
    }
    for (int kk = 0; kk < D / 16; ++kk) {
        int r[32], c[32];
        for (int l = 0; l < 32; ++l) {
            r[l] = arow[l];
            c[l] = kk * 16 + acol[l];
        }
        const emu::Regs4 a = emu::ldmatrix_x4({q.data(), kStride}, r, c, false);
        for (int np = 0; np < 4; ++np) {
            for (int l = 0; l < 32; ++l) {
                r[l] = 16 * np + brow[l];
                c[l] = kk * 16 + bcol[l];
            }
            const emu::Regs4 b = emu::ldmatrix_x4({k.data(), kStride}, r, c, false);
            float b0[32][2], b1[32][2], b2[32][2], b3[32][2];
            for (int l = 0; l < 32; ++l) {
                for (int e = 0; e < 2; ++e) {
                    b0[l][e] = b.v[l][0][e];
                    b1[l][e] = b.v[l][1][e];
                    b2[l][e] = b.v[l][2][e];
                    b3[l][e] = b.v[l][3][e];
                }
            }
            emu::mma_16816(s[2 * np], a.v, b0, b1);
            emu::mma_16816(s[2 * np + 1], a.v, b2, b3);
        }
    }
    for (int nt = 0; nt < 8; ++nt) {
        for (int l = 0; l < 32; ++l) {
            for (int i = 0; i < 4; ++i) {
                const int row = frag::acc_row(l, i), col = 8 * nt + frag::acc_col(l, i);
                float want = 0;
                for (int c = 0; c < D; ++c) want += q[row * kStride + c] * k[col * kStride + c];
                CHECK(s[nt][l][i] == want, "QK^T fragment nt=%d lane=%d reg=%d", nt, l, i);
            }
        }
    }
    // O = P V with P taken straight from the score accumulators (register reuse) and V through ldmatrix.trans.
    float o[D / 8][32][4] = {};
    int vrow[32], vcol[32];
    for (int l = 0; l < 32; ++l) frag::b_from_kn(l, vrow[l], vcol[l]);
    for (int kc = 0; kc < 4; ++kc) {
        float a[32][4][2];
        for (int l = 0; l < 32; ++l) {
            a[l][0][0] = s[2 * kc][l][0];
            a[l][0][1] = s[2 * kc][l][1];
            a[l][1][0] = s[2 * kc][l][2];
            a[l][1][1] = s[2 * kc][l][3];
            a[l][2][0] = s[2 * kc + 1][l][0];
            a[l][2][1] = s[2 * kc + 1][l][1];
            a[l][3][0] = s[2 * kc + 1][l][2];
            a[l][3][1] = s[2 * kc + 1][l][3];
        }
        for (int dp = 0; dp < D / 16; ++dp) {
            int r[32], c[32];
            for (int l = 0; l < 32; ++l) {
                r[l] = 16 * kc + vrow[l];
                c[l] = 16 * dp + vcol[l];
            }
            const emu::Regs4 b = emu::ldmatrix_x4({v.data(), kStride}, r, c, true);
            float b0[32][2], b1[32][2], b2[32][2], b3[32][2];
            for (int l = 0; l < 32; ++l) {
                for (int e = 0; e < 2; ++e) {
                    b0[l][e] = b.v[l][0][e];
                    b1[l][e] = b.v[l][1][e];
                    b2[l][e] = b.v[l][2][e];
                    b3[l][e] = b.v[l][3][e];
                }
            }
            emu::mma_16816(o[2 * dp], a, b0, b1);
            emu::mma_16816(o[2 * dp + 1], a, b2, b3);
        }
    }
    for (int dt = 0; dt < D / 8; ++dt) {
        for (int l = 0; l < 32; ++l) {
            for (int i = 0; i < 4; ++i) {
                const int row = frag::acc_row(l, i), col = 8 * dt + frag::acc_col(l, i);
                float want = 0;
                for (int j = 0; j < 64; ++j) {
                    float sij = 0;
                    for (int c = 0; c < D; ++c) sij += q[row * kStride + c] * k[j * kStride + c];
                    want += sij * v[j * kStride + col];
                }
                CHECK(o[dt][l][i] == want, "PV fragment dt=%d lane=%d reg=%d", dt, l, i);
            }
        }
    }
    // dQ = dS K with dS read through ldmatrix.trans from dS^T stored [64 keys][64 queries] (backward).
    constexpr int kDs = 64 + 8;
    std::vector<float> dst(64 * kDs);
    for (auto& x : dst) x = static_cast<float>(small(g_rng));
    int trow[32], tcol[32];
    for (int l = 0; l < 32; ++l) frag::a_from_km(l, trow[l], tcol[l]);
    for (int warp = 0; warp < 4; ++warp) {
        float dq[D / 8][32][4] = {};
        for (int kc = 0; kc < 4; ++kc) {
            int r[32], c[32];
            for (int l = 0; l < 32; ++l) {
                r[l] = 16 * kc + trow[l];
                c[l] = 16 * warp + tcol[l];
            }
            const emu::Regs4 a = emu::ldmatrix_x4({dst.data(), kDs}, r, c, true);
            for (int dp = 0; dp < D / 16; ++dp) {
                for (int l = 0; l < 32; ++l) {
                    r[l] = 16 * kc + vrow[l];
                    c[l] = 16 * dp + vcol[l];
                }
                const emu::Regs4 b = emu::ldmatrix_x4({k.data(), kStride}, r, c, true);
                float b0[32][2], b1[32][2], b2[32][2], b3[32][2];
                for (int l = 0; l < 32; ++l) {
                    for (int e = 0; e < 2; ++e) {
                        b0[l][e] = b.v[l][0][e];
                        b1[l][e] = b.v[l][1][e];
                        b2[l][e] = b.v[l][2][e];
                        b3[l][e] = b.v[l][3][e];
                    }
                }
                emu::mma_16816(dq[2 * dp], a.v, b0, b1);
                emu::mma_16816(dq[2 * dp + 1], a.v, b2, b3);
            }
        }
        for (int dt = 0; dt < D / 8; ++dt) {
            for (int l = 0; l < 32; ++l) {
                for (int i = 0; i < 4; ++i) {
                    const int query = 16 * warp + frag::acc_row(l, i), col = 8 * dt + frag::acc_col(l, i);
                    float want = 0;
                    for (int key = 0; key < 64; ++key) want += dst[key * kDs + query] * k[key * kStride + col];
                    CHECK(dq[dt][l][i] == want, "dS K fragment warp=%d dt=%d lane=%d", warp, dt, l);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
std::vector<int64_t> good_forward_args() {
    std::vector<int64_t> a(ATTN4J_FWD_COUNT, 0);
    a[ATTN4J_FWD_PLAN] = 1;
    a[ATTN4J_FWD_Q] = 1 << 20;
    a[ATTN4J_FWD_K] = 2 << 20;
    a[ATTN4J_FWD_V] = 3 << 20;
    a[ATTN4J_FWD_O] = 4 << 20;
    a[ATTN4J_FWD_DTYPE] = ATTN4J_BF16;
    a[ATTN4J_FWD_OUT_DTYPE] = ATTN4J_BF16;
    a[ATTN4J_FWD_BATCH] = 2;
    a[ATTN4J_FWD_Q_HEADS] = 8;
    a[ATTN4J_FWD_KV_HEADS] = 2;
    a[ATTN4J_FWD_NQ] = 100;
    a[ATTN4J_FWD_NK] = 300;
    a[ATTN4J_FWD_HEAD_DIM] = 128;
    a[ATTN4J_FWD_VALUE_DIM] = 128;
    double scale = 0.088;
    std::memcpy(&a[ATTN4J_FWD_SCALE_BITS], &scale, 8);
    return a;
}

void expect_forward_error(std::vector<int64_t> a, int32_t code, const char* field) {
    ForwardArgs f;
    Check c = decode_forward(a.data(), static_cast<int32_t>(a.size()), f);
    if (c.ok()) {
        PlanSummary plan{0, 100, 300, 2, 8, 2, 0, 0};
        c = validate_forward(f, &plan);
    }
    CHECK(c.code == code && c.message.find(field) != std::string::npos, "expected error %d naming '%s', got %d: %s",
          code, field, c.code, c.message.c_str());
}

void test_args() {
    ForwardArgs f;
    std::vector<int64_t> a = good_forward_args();
    CHECK(decode_forward(a.data(), ATTN4J_FWD_COUNT, f).ok(), "good arguments decode");
    PlanSummary plan{0, 100, 300, 2, 8, 2, 0, 0};
    CHECK(validate_forward(f, &plan).ok(), "good arguments validate");
    CHECK(!decode_forward(a.data(), ATTN4J_FWD_COUNT - 1, f).ok(), "wrong count is refused");
    auto with = [&](int index, int64_t value) {
        std::vector<int64_t> b = good_forward_args();
        b[static_cast<size_t>(index)] = value;
        return b;
    };
    expect_forward_error(with(ATTN4J_FWD_Q, 0), ATTN4J_ERR_INVALID_ARGUMENT, "q");
    expect_forward_error(with(ATTN4J_FWD_K, (2 << 20) + 8), ATTN4J_ERR_INVALID_ARGUMENT, "k");
    expect_forward_error(with(ATTN4J_FWD_DTYPE, ATTN4J_FP32), ATTN4J_ERR_INVALID_ARGUMENT, "dtype");
    expect_forward_error(with(ATTN4J_FWD_OUT_DTYPE, 3), ATTN4J_ERR_INVALID_ARGUMENT, "output dtype");
    expect_forward_error(with(ATTN4J_FWD_KV_HEADS, 3), ATTN4J_ERR_INVALID_ARGUMENT, "kv heads");
    expect_forward_error(with(ATTN4J_FWD_HEAD_DIM, 96), ATTN4J_ERR_UNSUPPORTED, "head dim");
    expect_forward_error(with(ATTN4J_FWD_VALUE_DIM, 64), ATTN4J_ERR_UNSUPPORTED, "value dim");
    expect_forward_error(with(ATTN4J_FWD_NQ, 0), ATTN4J_ERR_INVALID_ARGUMENT, "query length");
    expect_forward_error(with(ATTN4J_FWD_NQ, 101), ATTN4J_ERR_INVALID_ARGUMENT, "plan");
    expect_forward_error(with(ATTN4J_FWD_TOPK_BLOCKS, 2), ATTN4J_ERR_INVALID_ARGUMENT, "block top-k");
    expect_forward_error(with(ATTN4J_FWD_NORMALIZER, 3), ATTN4J_ERR_INVALID_ARGUMENT, "normalizer");
    std::vector<int64_t> lse_sparse = with(ATTN4J_FWD_LSE, 5 << 20);
    lse_sparse[ATTN4J_FWD_NORMALIZER] = ATTN4J_SPARSEMAX;
    expect_forward_error(lse_sparse, ATTN4J_ERR_INVALID_ARGUMENT, "lse");
    double nan = std::numeric_limits<double>::quiet_NaN();
    int64_t nan_bits;
    std::memcpy(&nan_bits, &nan, 8);
    expect_forward_error(with(ATTN4J_FWD_SCALE_BITS, nan_bits), ATTN4J_ERR_INVALID_ARGUMENT, "scale");
    expect_forward_error(with(ATTN4J_FWD_EVENT_START, 77), ATTN4J_ERR_INVALID_ARGUMENT, "events");

    BackwardArgs bw;
    std::vector<int64_t> b(ATTN4J_BWD_COUNT, 0);
    b[ATTN4J_BWD_PLAN] = 1;
    for (int idx : {ATTN4J_BWD_Q, ATTN4J_BWD_K, ATTN4J_BWD_V, ATTN4J_BWD_O, ATTN4J_BWD_DO, ATTN4J_BWD_DQ, ATTN4J_BWD_DK,
                    ATTN4J_BWD_DV}) {
        b[static_cast<size_t>(idx)] = (idx + 1) << 20;
    }
    b[ATTN4J_BWD_DTYPE] = ATTN4J_FP16;
    b[ATTN4J_BWD_O_DTYPE] = ATTN4J_FP32;
    b[ATTN4J_BWD_DO_DTYPE] = ATTN4J_FP16;
    b[ATTN4J_BWD_BATCH] = 2;
    b[ATTN4J_BWD_Q_HEADS] = 8;
    b[ATTN4J_BWD_KV_HEADS] = 2;
    b[ATTN4J_BWD_NQ] = 100;
    b[ATTN4J_BWD_NK] = 300;
    b[ATTN4J_BWD_HEAD_DIM] = 64;
    b[ATTN4J_BWD_VALUE_DIM] = 64;
    double scale = 0.125;
    std::memcpy(&b[ATTN4J_BWD_SCALE_BITS], &scale, 8);
    CHECK(decode_backward(b.data(), ATTN4J_BWD_COUNT, bw).ok() && validate_backward(bw, &plan).ok(), "good backward");
    b[ATTN4J_BWD_NORMALIZER] = ATTN4J_ENTMAX15;
    Check c = decode_backward(b.data(), ATTN4J_BWD_COUNT, bw);
    c = c.ok() ? validate_backward(bw, &plan) : c;
    CHECK(c.code == ATTN4J_ERR_UNSUPPORTED && c.message.find("softmax") != std::string::npos, "backward normalizer");

    PlanArgs pa;
    std::vector<int64_t> d(ATTN4J_PLAN_COUNT, 0);
    d[ATTN4J_PLAN_NQ] = 10;
    d[ATTN4J_PLAN_NK] = 10;
    d[ATTN4J_PLAN_BATCH] = 1;
    d[ATTN4J_PLAN_Q_HEADS] = 1;
    d[ATTN4J_PLAN_KV_HEADS] = 1;
    d[ATTN4J_PLAN_BLOCK_BATCH] = 1;
    d[ATTN4J_PLAN_BLOCK_HEADS] = 1;
    d[ATTN4J_PLAN_BLOCK_BQ] = 1;
    d[ATTN4J_PLAN_BLOCK_BK] = 1;
    CHECK(decode_plan(d.data(), ATTN4J_PLAN_COUNT, nullptr, 0, pa).ok(), "good plan descriptor");
    d[ATTN4J_PLAN_WINDOW_LEFT] = -1;
    c = decode_plan(d.data(), ATTN4J_PLAN_COUNT, nullptr, 0, pa);
    CHECK(!c.ok() && c.message.find("window.left") != std::string::npos, "negative window refused: %s",
          c.message.c_str());
}

// ---------------------------------------------------------------------------------------------------------------
// The kernels' algorithms on the CPU: plan rows (partial tiles masked, full ones not), block top-k on the GPU's
// arithmetic, token top-k and sparse thresholds by pivot passes, online softmax in float over 64-key tiles.

struct EmuResult {
    std::vector<float> o, lse;
    bool loaded_empty_tile = false;
};

EmuResult emulate_forward(const ref::Problem& p) {
    constexpr int T = 64;
    PlanRequest req;
    req.mask = p.mask;
    req.batch = p.batch;
    req.q_heads = p.q_heads;
    req.kv_heads = p.kv_heads;
    req.tile_q = T;
    req.tile_k = T;
    req.has_block = p.has_block;
    req.block = p.block;
    if (p.topk_blocks > 0) {
        req.topk_bq = p.topk_bq;
        req.topk_bk = p.topk_bk;
    }
    const HostPlan plan = build_plan(req);
    const float scale = static_cast<float>(p.scale);
    const TileListView static_rows{plan.rows.count.data(), plan.rows.partial.data(), plan.rows.tiles.data(),
                                   plan.rows.capacity, plan.mb, plan.mh, plan.qtiles};
    const bool topk = p.topk_blocks > 0 && p.topk_blocks < plan.topk_kblocks;
    std::vector<uint8_t> sel;
    CellGrid selg;
    std::vector<int32_t> dcount, dpartial, dtiles;
    if (topk) {
        const int qbn = plan.topk_qblocks, kbn = plan.topk_kblocks;
        sel.assign(static_cast<size_t>(p.batch) * p.q_heads * qbn * kbn, 0);
        for (int b = 0; b < p.batch; ++b) {
            for (int h = 0; h < p.q_heads; ++h) {
                auto mean = [&](bool query, int r0, int r1, int c) {
                    double sum = 0;
                    for (int r = r0; r < r1; ++r) {
                        const int64_t at = query ? ref::q_index(p, b, h, r) : ref::kv_index(p, b, h, r);
                        sum = add_exact_order(sum, static_cast<double>((query ? p.q : p.k)[static_cast<size_t>(at + c)]));
                    }
                    return sum / static_cast<double>(r1 - r0);  // as BlockTopKSelection: ordered sum / count
                };
                const int64_t cb = plan.mb == 1 ? 0 : b, ch = plan.mh == 1 ? 0 : h;
                for (int qb = 0; qb < qbn; ++qb) {
                    const int i0 = qb * p.topk_bq, i1 = std::min(p.nq, i0 + p.topk_bq);
                    std::vector<double> scores(static_cast<size_t>(kbn), 0.0);
                    const uint8_t* cand = plan.topk_candidates.data() + ((cb * plan.mh + ch) * qbn + qb) * kbn;
                    for (int kb = 0; kb < kbn; ++kb) {
                        if (!cand[kb]) continue;
                        const int j0 = kb * p.topk_bk, j1 = std::min(p.nk, j0 + p.topk_bk);
                        double dot = 0;
                        for (int c = 0; c < p.d; ++c) {
                            dot = add_exact_order(dot, mul_exact_order(mean(true, i0, i1, c), mean(false, j0, j1, c)));
                        }
                        scores[static_cast<size_t>(kb)] = mul_exact_order(p.scale, dot);
                    }
                    for (int kb = 0; kb < kbn; ++kb) {
                        if (!cand[kb]) continue;
                        int ahead = 0;
                        for (int o = 0; o < kbn; ++o) {
                            if (o != kb && cand[o] &&
                                block_ranks_before(scores[static_cast<size_t>(o)], o, scores[static_cast<size_t>(kb)], kb)) {
                                ++ahead;
                            }
                        }
                        sel[static_cast<size_t>(((static_cast<int64_t>(b) * p.q_heads + h) * qbn + qb) * kbn + kb)] =
                                ahead < p.topk_blocks ? 1 : 0;
                    }
                }
            }
        }
        selg = CellGrid{sel.data(), p.batch, p.q_heads, plan.topk_qblocks, plan.topk_kblocks, p.topk_bq, p.topk_bk};
        const int64_t lines = static_cast<int64_t>(p.batch) * p.q_heads * plan.qtiles;
        dcount.assign(static_cast<size_t>(lines), 0);
        dpartial.assign(static_cast<size_t>(lines), 0);
        dtiles.assign(static_cast<size_t>(lines * plan.ktiles), 0);
        for (int64_t id = 0; id < lines; ++id) {
            const int qt = static_cast<int>(id % plan.qtiles);
            const int b = static_cast<int>(id / plan.qtiles / p.q_heads), h = static_cast<int>(id / plan.qtiles % p.q_heads);
            const int64_t line = line_index(static_rows, b, h, qt);
            dcount[static_cast<size_t>(id)] = refine_row(
                    p.mask, p.has_block ? &p.block : nullptr, selg, b, h, qt, T,
                    plan.rows.tiles.data() + line * plan.rows.capacity, plan.rows.count[static_cast<size_t>(line)],
                    plan.rows.partial[static_cast<size_t>(line)], dtiles.data() + id * plan.ktiles,
                    &dpartial[static_cast<size_t>(id)]);
        }
    }
    const TileListView rows = topk ? TileListView{dcount.data(), dpartial.data(), dtiles.data(), plan.ktiles, p.batch,
                                                  p.q_heads, plan.qtiles}
                                   : static_rows;

    EmuResult out;
    out.o.assign(static_cast<size_t>(p.batch) * p.q_heads * p.nq * p.d, 0.0f);
    out.lse.assign(static_cast<size_t>(p.batch) * p.q_heads * p.nq, 0.0f);
    for (int b = 0; b < p.batch; ++b) {
        for (int h = 0; h < p.q_heads; ++h) {
            for (int qt = 0; qt < plan.qtiles; ++qt) {
                const int64_t line = line_index(rows, b, h, qt);
                const int n_all = rows.count[line], n_part = rows.partial[line];
                const int32_t* tiles = rows.tiles + line * rows.capacity;
                // Every loaded tile holds at least one attended pair.
                for (int e = 0; e < n_all; ++e) {
                    bool any = false;
                    for (int i = qt * T; i < std::min(p.nq, qt * T + T) && !any; ++i) {
                        for (int j = tiles[e] * T; j < std::min(p.nk, tiles[e] * T + T) && !any; ++j) {
                            any = ref::statically_allowed(p, b, h, i, j) && (!topk || cell_on(selg, b, h, i, j));
                        }
                    }
                    out.loaded_empty_tile |= !any;
                }
                for (int i = qt * T; i < std::min(p.nq, qt * T + T); ++i) {
                    // visit(j, score) over the row's kept pairs in the kernel's order.
                    auto visit_row = [&](auto&& visit) {
                        for (int e = 0; e < n_all; ++e) {
                            for (int c = 0; c < T; ++c) {
                                const int64_t j = static_cast<int64_t>(tiles[e]) * T + c;
                                bool ok = j < p.nk;
                                if (e < n_part && ok) {
                                    ok = ref::statically_allowed(p, b, h, i, static_cast<int>(j)) &&
                                         (!topk || cell_on(selg, b, h, i, j));
                                }
                                float raw = 0;
                                if (j < p.nk) {
                                    const int64_t qb = ref::q_index(p, b, h, i), kb = ref::kv_index(p, b, h, static_cast<int>(j));
                                    for (int cc = 0; cc < p.d; ++cc) {
                                        raw += p.q[static_cast<size_t>(qb + cc)] * p.k[static_cast<size_t>(kb + cc)];
                                    }
                                }
                                visit(e, j, ok, raw * scale);
                            }
                        }
                    };
                    uint64_t keep_from = 0;
                    if (p.topk_tokens > 0 && p.topk_tokens < p.nk) {
                        std::vector<uint64_t> keys;
                        visit_row([&](int, int64_t j, bool ok, float sc) {
                            if (ok) keys.push_back(token_rank_key(sc, j));
                        });
                        TokenTopKSearch s;
                        run_token_search(keys, p.topk_tokens, s);
                        keep_from = s.threshold;
                    }
                    auto kept = [&](bool ok, int64_t j, float sc) {
                        return ok && (p.topk_tokens == 0 || token_rank_key(sc, j) >= keep_from);
                    };
                    const int64_t ob = ref::q_index(p, b, h, i);
                    const size_t row_id = static_cast<size_t>((static_cast<int64_t>(b) * p.q_heads + h) * p.nq + i);
                    std::vector<float> acc(static_cast<size_t>(p.d), 0.0f);
                    float l = 0;
                    if (p.normalizer == 0) {
                        float m = -std::numeric_limits<float>::infinity();
                        std::vector<float> tile_s(T);
                        std::vector<int64_t> tile_j(T);
                        int filled = 0;
                        auto flush = [&]() {
                            float mx = m;
                            for (int c = 0; c < T; ++c) mx = std::max(mx, tile_s[static_cast<size_t>(c)]);
                            const float m_use = mx == -std::numeric_limits<float>::infinity() ? 0.0f : mx;
                            const float corr = std::exp(m - m_use);
                            m = mx;
                            l *= corr;
                            for (auto& x : acc) x *= corr;
                            for (int c = 0; c < T; ++c) {
                                const float pr = std::exp(tile_s[static_cast<size_t>(c)] - m_use);
                                l += pr;
                                if (pr > 0) {
                                    const int64_t vb = ref::kv_index(p, b, h, static_cast<int>(tile_j[static_cast<size_t>(c)]));
                                    for (int cc = 0; cc < p.d; ++cc) acc[static_cast<size_t>(cc)] += pr * p.v[static_cast<size_t>(vb + cc)];
                                }
                            }
                        };
                        visit_row([&](int, int64_t j, bool ok, float sc) {
                            tile_s[static_cast<size_t>(filled)] = kept(ok, j, sc) ? sc : -std::numeric_limits<float>::infinity();
                            tile_j[static_cast<size_t>(filled)] = j;
                            if (++filled == T) {
                                flush();
                                filled = 0;
                            }
                        });
                        out.lse[row_id] = l > 0 ? m + std::log(l) : -std::numeric_limits<float>::infinity();
                    } else {
                        const int power = p.normalizer == 2 ? 2 : 1;
                        const float xs = power == 2 ? 0.5f : 1.0f;
                        float mx = -std::numeric_limits<float>::infinity();
                        visit_row([&](int, int64_t j, bool ok, float sc) {
                            if (kept(ok, j, sc)) mx = std::max(mx, sc * xs);
                        });
                        SparseSearch s;
                        for (int pass = 1; pass < 16 && mx > -std::numeric_limits<float>::infinity() && !s.done; ++pass) {
                            int32_t cnt[kSparsePivots] = {};
                            float s1[kSparsePivots] = {}, s2[kSparsePivots] = {};
                            visit_row([&](int, int64_t j, bool ok, float sc) {
                                if (!kept(ok, j, sc)) return;
                                const float y = sc * xs - mx;
                                for (int m = 0; m < kSparsePivots; ++m) {
                                    const float z = y - sparse_search_pivot(s, m);
                                    if (z > 0) {
                                        cnt[m] += 1;
                                        s1[m] += z;
                                        s2[m] += z * z;
                                    }
                                }
                            });
                            sparse_search_update(s, power, cnt, s1, s2, pass + 1 == 16);
                        }
                        const float tau = mx == -std::numeric_limits<float>::infinity() ? std::numeric_limits<float>::infinity()
                                                                                         : mx + s.tau;
                        visit_row([&](int, int64_t j, bool ok, float sc) {
                            if (!kept(ok, j, sc)) return;
                            float x = std::max(sc * xs - tau, 0.0f);
                            x = power == 2 ? x * x : x;
                            l += x;
                            const int64_t vb = ref::kv_index(p, b, h, static_cast<int>(j));
                            for (int cc = 0; cc < p.d; ++cc) acc[static_cast<size_t>(cc)] += x * p.v[static_cast<size_t>(vb + cc)];
                        });
                    }
                    const float inv = l > 0 ? 1.0f / l : 0.0f;
                    for (int c = 0; c < p.d; ++c) out.o[static_cast<size_t>(ob + c)] = acc[static_cast<size_t>(c)] * inv;
                }
            }
        }
    }
    return out;
}

struct Case {
    const char* name;
    int batch, q_heads, kv_heads, nq, nk, d;
    int causal, windowed, left, right, global;
    int block;  // 0 none, 1 broadcast, 2 per batch and head
    int block_bq, block_bk;
    int topk_blocks, topk_bq, topk_bk;
    int topk_tokens;
    int normalizer;
};

void test_emulated_forward() {
    const Case cases[] = {
            {"dense", 1, 2, 2, 70, 130, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
            {"causal gqa", 2, 4, 2, 100, 100, 16, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
            {"causal decode", 1, 2, 1, 1, 150, 16, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
            {"causal nq>nk", 1, 1, 1, 150, 70, 16, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
            {"window+global", 1, 2, 2, 200, 200, 16, 1, 1, 40, 3, 5, 0, 0, 0, 0, 0, 0, 0, 0},
            {"window two-sided", 1, 1, 1, 130, 190, 16, 0, 1, 20, 30, 0, 0, 0, 0, 0, 0, 0, 0, 0},
            {"block broadcast", 1, 2, 1, 128, 192, 16, 0, 0, 0, 0, 0, 1, 64, 64, 0, 0, 0, 0, 0},
            {"block per head unaligned", 2, 2, 2, 150, 170, 16, 1, 0, 0, 0, 0, 2, 24, 40, 0, 0, 0, 0, 0},
            {"block top-k", 1, 2, 1, 200, 260, 16, 0, 0, 0, 0, 0, 0, 0, 0, 2, 64, 64, 0, 0},
            {"block top-k unaligned causal", 1, 2, 2, 190, 190, 16, 1, 0, 0, 0, 0, 0, 0, 0, 3, 48, 40, 0, 0},
            {"block top-k + block mask", 1, 1, 1, 160, 160, 16, 0, 0, 0, 0, 0, 2, 32, 32, 2, 32, 64, 0, 0},
            {"token top-k", 1, 2, 1, 90, 200, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0},
            {"token top-k causal", 1, 1, 1, 130, 130, 16, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20, 0},
            {"sparsemax", 1, 2, 2, 100, 180, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
            {"entmax causal window", 1, 2, 1, 150, 150, 16, 1, 1, 50, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2},
            {"entmax + token top-k + block", 1, 1, 1, 120, 160, 16, 0, 0, 0, 0, 0, 1, 32, 48, 0, 0, 0, 9, 2},
            {"sparsemax + block top-k", 1, 1, 1, 140, 140, 16, 1, 0, 0, 0, 0, 0, 0, 0, 1, 64, 32, 0, 1},
    };
    for (const Case& c : cases) {
        ref::Problem p;
        p.batch = c.batch;
        p.q_heads = c.q_heads;
        p.kv_heads = c.kv_heads;
        p.nq = c.nq;
        p.nk = c.nk;
        p.d = c.d;
        p.scale = 1.0 / std::sqrt(static_cast<double>(c.d));
        p.mask.nq = c.nq;
        p.mask.nk = c.nk;
        p.mask.causal = c.causal;
        p.mask.windowed = c.windowed;
        p.mask.left = c.left;
        p.mask.right = c.right;
        p.mask.global = c.global;
        GridHolder g;
        if (c.block) {
            g = random_grid(c.block == 2 ? c.batch : 1, c.block == 2 ? c.q_heads : 1, c.nq, c.nk, c.block_bq, c.block_bk,
                            0.55);
            p.has_block = true;
            p.block = g.grid;
        }
        p.topk_blocks = c.topk_blocks;
        p.topk_bq = c.topk_bq;
        p.topk_bk = c.topk_bk;
        p.topk_tokens = c.topk_tokens;
        p.normalizer = c.normalizer;
        for (auto* x : {&p.q, &p.k, &p.v}) {
            x->resize(static_cast<size_t>(c.batch) * (x == &p.q ? c.q_heads : c.kv_heads) * (x == &p.q ? c.nq : c.nk) * c.d);
            for (float& e : *x) e = gaussian() * (x == &p.v ? 1.0f : 1.5f);
        }
        const ref::Outputs want = ref::forward(p);
        const EmuResult got = emulate_forward(p);
        const double err = ref::relative_error(got.o, want.o);
        CHECK(err < 2e-5, "%s: relative error of O %.3g", c.name, err);
        CHECK(!got.loaded_empty_tile, "%s: a tile with no attended pair was loaded", c.name);
        if (c.normalizer == 0) {
            double worst = 0;
            for (size_t t = 0; t < want.lse.size(); ++t) {
                if (std::isinf(want.lse[t])) {
                    CHECK(std::isinf(got.lse[t]) && got.lse[t] < 0, "%s: LSE of an empty row must be -inf", c.name);
                } else {
                    worst = std::max(worst, std::fabs(got.lse[t] - want.lse[t]));
                }
            }
            CHECK(worst < 1e-4, "%s: LSE error %.3g", c.name, worst);
        }
        std::printf("  emulated forward %-30s relative error %.2e\n", c.name, err);
    }
}

}  // namespace

int main() {
    std::printf("attn4j CUDA engine host tests\n");
    test_mask_model();
    std::printf("  mask model: ok so far (%d failures)\n", g_failures);
    test_plan();
    std::printf("  tile plans: ok so far (%d failures)\n", g_failures);
    test_selection_rules();
    test_token_search();
    test_sparse_search();
    test_fragments();
    std::printf("  fragments: ok so far (%d failures)\n", g_failures);
    test_args();
    test_emulated_forward();
    std::printf("%d checks, %d failures\n", g_checks, g_failures);
    return g_failures == 0 ? 0 : 1;
}
