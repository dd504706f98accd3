// The SPEC read literally in float64 (the C++ twin of the Java reference provider): for each query row, its allowed
// keys (static masks, block top-k selection, token top-k), the normalizer, O and LSE; and the softmax backward pass.
// Used by the host tests (to check the kernels' algorithms emulated on the CPU) and by the GPU check program.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "../host/mask_model.hpp"
#include "../host/selection_rules.hpp"

namespace attn4j {
namespace ref {

struct Problem {
    int batch = 1, q_heads = 1, kv_heads = 1, nq = 1, nk = 1, d = 64;
    double scale = 0.125;
    MaskParams mask;                 // nq, nk filled in by the caller
    bool has_block = false;
    CellGrid block;                  // host cells
    int topk_blocks = 0, topk_bq = 0, topk_bk = 0;
    int topk_tokens = 0;
    int normalizer = 0;              // 0 softmax, 1 sparsemax, 2 entmax-1.5
    std::vector<float> q, k, v;      // [B, H, N, D], values already rounded to the input type
};

inline int64_t q_index(const Problem& p, int b, int h, int i) {
    return ((static_cast<int64_t>(b) * p.q_heads + h) * p.nq + i) * p.d;
}

inline int64_t kv_index(const Problem& p, int b, int h, int j) {
    const int kvh = h / (p.q_heads / p.kv_heads);
    return ((static_cast<int64_t>(b) * p.kv_heads + kvh) * p.nk + j) * p.d;
}

inline bool statically_allowed(const Problem& p, int b, int h, int i, int j) {
    if (!static_allowed(p.mask, i, j)) {
        return false;
    }
    return !p.has_block || cell_on(p.block, b, h, i, j);
}

/** Block top-k selection per query tile for (b, h): kept[qb][kb], float64 as in BlockTopKSelection. */
inline std::vector<std::vector<char>> block_selection(const Problem& p, int b, int h) {
    const int qb_n = (p.nq + p.topk_bq - 1) / p.topk_bq;
    const int kb_n = (p.nk + p.topk_bk - 1) / p.topk_bk;
    auto mean = [&](bool query, int r0, int r1) {
        std::vector<double> m(static_cast<size_t>(p.d), 0.0);
        for (int r = r0; r < r1; ++r) {
            const int64_t base = query ? q_index(p, b, h, r) : kv_index(p, b, h, r);
            const std::vector<float>& x = query ? p.q : p.k;
            for (int c = 0; c < p.d; ++c) {
                m[static_cast<size_t>(c)] += x[static_cast<size_t>(base + c)];
            }
        }
        for (double& x : m) {
            x /= (r1 - r0);
        }
        return m;
    };
    std::vector<std::vector<char>> kept(static_cast<size_t>(qb_n), std::vector<char>(static_cast<size_t>(kb_n), 0));
    for (int qb = 0; qb < qb_n; ++qb) {
        const int i0 = qb * p.topk_bq, i1 = std::min(p.nq, i0 + p.topk_bq);
        const std::vector<double> qm = mean(true, i0, i1);
        std::vector<std::pair<double, int>> cands;
        for (int kb = 0; kb < kb_n; ++kb) {
            const int j0 = kb * p.topk_bk, j1 = std::min(p.nk, j0 + p.topk_bk);
            bool any = false;
            for (int i = i0; i < i1 && !any; ++i) {
                for (int j = j0; j < j1 && !any; ++j) {
                    any = statically_allowed(p, b, h, i, j);
                }
            }
            if (!any) {
                continue;
            }
            const std::vector<double> km = mean(false, j0, j1);
            double dot = 0;
            for (int c = 0; c < p.d; ++c) {
                volatile double prod = qm[static_cast<size_t>(c)] * km[static_cast<size_t>(c)];
                dot += prod;
            }
            cands.emplace_back(p.scale * dot, kb);
        }
        std::stable_sort(cands.begin(), cands.end(), [](const auto& x, const auto& y) {
            return block_ranks_before(x.first, x.second, y.first, y.second);
        });
        for (size_t t = 0; t < cands.size() && static_cast<int>(t) < p.topk_blocks; ++t) {
            kept[static_cast<size_t>(qb)][static_cast<size_t>(cands[t].second)] = 1;
        }
    }
    return kept;
}

/** One row's kept keys (ascending) and their scores. */
struct Row {
    std::vector<int> keys;
    std::vector<double> s;
};

inline Row row_scores(const Problem& p, int b, int h, int i, const std::vector<std::vector<char>>* selection) {
    Row row;
    const int64_t qb = q_index(p, b, h, i);
    for (int j = 0; j < p.nk; ++j) {
        if (!statically_allowed(p, b, h, i, j)) {
            continue;
        }
        if (selection != nullptr &&
            !(*selection)[static_cast<size_t>(i / p.topk_bq)][static_cast<size_t>(j / p.topk_bk)]) {
            continue;
        }
        const int64_t kb = kv_index(p, b, h, j);
        double dot = 0;
        for (int c = 0; c < p.d; ++c) {
            dot += static_cast<double>(p.q[static_cast<size_t>(qb + c)]) * p.k[static_cast<size_t>(kb + c)];
        }
        row.keys.push_back(j);
        row.s.push_back(p.scale * dot);
    }
    if (p.topk_tokens > 0 && static_cast<int>(row.keys.size()) > p.topk_tokens) {
        std::vector<size_t> order(row.keys.size());
        std::iota(order.begin(), order.end(), 0);
        // SelectionOrder: numeric (-0.0 ties +0.0), NaN first; the stable sort keeps ties in key order.
        std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
            return double_order_key(row.s[x]) > double_order_key(row.s[y]);
        });
        std::vector<char> keep(row.keys.size(), 0);
        for (int t = 0; t < p.topk_tokens; ++t) {
            keep[order[static_cast<size_t>(t)]] = 1;
        }
        Row kept;
        for (size_t t = 0; t < row.keys.size(); ++t) {
            if (keep[t]) {
                kept.keys.push_back(row.keys[t]);
                kept.s.push_back(row.s[t]);
            }
        }
        return kept;
    }
    return row;
}

/**
 * Weights of scores s for the normalizer; returns LSE for softmax (-inf for an empty row). A NaN or +inf score, or
 * every score -inf, makes a NaN row (every weight NaN, NaN returned); sparsemax and entmax work on s - max s.
 */
inline double normalize(int normalizer, const std::vector<double>& s, std::vector<double>& w) {
    const size_t n = s.size();
    w.assign(n, 0.0);
    if (n == 0) {
        return -std::numeric_limits<double>::infinity();
    }
    double mx = -std::numeric_limits<double>::infinity();
    for (double x : s) {
        mx = (x != x || mx != mx) ? std::numeric_limits<double>::quiet_NaN() : std::max(mx, x);
    }
    if (!std::isfinite(mx)) {
        w.assign(n, std::numeric_limits<double>::quiet_NaN());
        return std::numeric_limits<double>::quiet_NaN();
    }
    if (normalizer == 0) {
        double sum = 0;
        for (size_t t = 0; t < n; ++t) {
            w[t] = std::exp(s[t] - mx);
            sum += w[t];
        }
        for (double& x : w) {
            x /= sum;
        }
        return mx + std::log(sum);
    }
    std::vector<double> z(s);
    const double power_scale = normalizer == 2 ? 0.5 : 1.0;
    for (double& x : z) {
        x = (x - mx) * power_scale;
    }
    std::vector<double> sorted(z);
    std::sort(sorted.begin(), sorted.end(), std::greater<double>());
    double tau = -1;
    if (normalizer == 1) {
        double cum = 0;
        for (size_t k = 1; k <= n; ++k) {
            cum += sorted[k - 1];
            if (1 + k * sorted[k - 1] > cum) {
                tau = (cum - 1) / k;
            }
        }
        for (size_t t = 0; t < n; ++t) {
            w[t] = std::max(z[t] - tau, 0.0);
        }
    } else {
        double sum = 0, sum_sq = 0;
        for (size_t k = 1; k <= n; ++k) {
            sum += sorted[k - 1];
            sum_sq += sorted[k - 1] * sorted[k - 1];
            const double mean = sum / k;
            const double ss = sum_sq - sum * mean;
            const double t = mean - std::sqrt(std::max((1 - ss) / k, 0.0));
            if (t <= sorted[k - 1]) {
                tau = t;
            }
        }
        for (size_t t = 0; t < n; ++t) {
            const double x = std::max(z[t] - tau, 0.0);
            w[t] = x * x;
        }
    }
    return std::numeric_limits<double>::quiet_NaN();
}

struct Outputs {
    std::vector<double> o;    // [B, Hq, Nq, D]
    std::vector<double> lse;  // [B, Hq, Nq]
};

inline Outputs forward(const Problem& p) {
    Outputs out;
    out.o.assign(static_cast<size_t>(p.batch) * p.q_heads * p.nq * p.d, 0.0);
    out.lse.assign(static_cast<size_t>(p.batch) * p.q_heads * p.nq, 0.0);
    std::vector<double> w;
    for (int b = 0; b < p.batch; ++b) {
        for (int h = 0; h < p.q_heads; ++h) {
            std::vector<std::vector<char>> sel;
            if (p.topk_blocks > 0) {
                sel = block_selection(p, b, h);
            }
            for (int i = 0; i < p.nq; ++i) {
                const Row row = row_scores(p, b, h, i, p.topk_blocks > 0 ? &sel : nullptr);
                const double lse = normalize(p.normalizer, row.s, w);
                const int64_t ob = q_index(p, b, h, i);
                for (size_t t = 0; t < row.keys.size(); ++t) {
                    if (w[t] == 0) {
                        continue;  // a key of weight 0 contributes nothing, even where V is not finite
                    }
                    const int64_t vb = kv_index(p, b, h, row.keys[t]);
                    for (int c = 0; c < p.d; ++c) {
                        out.o[static_cast<size_t>(ob + c)] += w[t] * p.v[static_cast<size_t>(vb + c)];
                    }
                }
                out.lse[static_cast<size_t>((static_cast<int64_t>(b) * p.q_heads + h) * p.nq + i)] = lse;
            }
        }
    }
    return out;
}

struct Gradients {
    std::vector<double> dq, dk, dv;
};

/** Softmax backward pass with the static masks (no dynamic selections). */
inline Gradients backward(const Problem& p, const std::vector<float>& d_o) {
    Gradients g;
    g.dq.assign(p.q.size(), 0.0);
    g.dk.assign(p.k.size(), 0.0);
    g.dv.assign(p.v.size(), 0.0);
    std::vector<double> w;
    for (int b = 0; b < p.batch; ++b) {
        for (int h = 0; h < p.q_heads; ++h) {
            for (int i = 0; i < p.nq; ++i) {
                const Row row = row_scores(p, b, h, i, nullptr);
                normalize(0, row.s, w);
                const int64_t qb = q_index(p, b, h, i);
                const size_t n = row.keys.size();
                std::vector<double> dp(n, 0.0);
                double dot = 0;
                for (size_t t = 0; t < n; ++t) {
                    const int64_t vb = kv_index(p, b, h, row.keys[t]);
                    for (int c = 0; c < p.d; ++c) {
                        dp[t] += static_cast<double>(d_o[static_cast<size_t>(qb + c)]) * p.v[static_cast<size_t>(vb + c)];
                    }
                    dot += w[t] * dp[t];
                }
                for (size_t t = 0; t < n; ++t) {
                    const double ds = w[t] * (dp[t] - dot) * p.scale;
                    const int64_t kb = kv_index(p, b, h, row.keys[t]);
                    for (int c = 0; c < p.d; ++c) {
                        g.dq[static_cast<size_t>(qb + c)] += ds * p.k[static_cast<size_t>(kb + c)];
                        g.dk[static_cast<size_t>(kb + c)] += ds * p.q[static_cast<size_t>(qb + c)];
                        g.dv[static_cast<size_t>(kb + c)] += w[t] * d_o[static_cast<size_t>(qb + c)];
                    }
                }
            }
        }
    }
    return g;
}

/** ||x - ref|| / ||ref|| (1 when ref is all zeros and x is not; NaN anywhere gives +inf). */
template <typename A>
double relative_error(const std::vector<A>& x, const std::vector<double>& ref) {
    double num = 0, den = 0;
    for (size_t t = 0; t < ref.size(); ++t) {
        const double xv = static_cast<double>(x[t]);
        if (std::isnan(xv)) {
            return std::numeric_limits<double>::infinity();
        }
        num += (xv - ref[t]) * (xv - ref[t]);
        den += ref[t] * ref[t];
    }
    if (den == 0) {
        return num == 0 ? 0.0 : 1.0;
    }
    return std::sqrt(num / den);
}

}  // namespace ref
}  // namespace attn4j
