package org.attn4j.cpu.fuzz;

import java.util.Random;
import org.attn4j.DType;
import org.attn4j.Normalizer;

/**
 * One way to make a valid request invalid, and the field the IllegalArgumentException must name. Each mutation
 * changes a valid {@link FuzzCase} just enough to be refused.
 */
enum Mutation {
    Q_RANK("q") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            c.qShape = new int[] {c.qShape[0] * c.qShape[1], c.qShape[2], c.qShape[3]};
        }
    },
    K_RANK("k") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            c.kShape = new int[] {1, c.kShape[0], c.kShape[1], c.kShape[2], c.kShape[3]};
        }
    },
    ZERO_DIMENSION("q", "k", "v") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            int[][] shapes = {c.qShape, c.kShape, c.vShape};
            shapes[rnd.nextInt(3)][rnd.nextInt(4)] = 0;
        }
    },
    NEGATIVE_DIMENSION("shape") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            int[][] shapes = {c.qShape, c.kShape, c.vShape};
            shapes[rnd.nextInt(3)][rnd.nextInt(4)] = -1 - rnd.nextInt(Integer.MAX_VALUE);
        }
    },
    HUGE_TENSOR("shape") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            c.qShape = new int[] {1 << 30, 1 << 30, 48, 16};
        }
    },
    BATCH_MISMATCH("k") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            c.kShape[0] = c.qShape[0] + 1;
            c.vShape[0] = c.qShape[0] + 1;
        }
    },
    HEAD_DIM_MISMATCH("k") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            c.kShape[3] = c.qShape[3] + 1 + rnd.nextInt(3);
        }
    },
    KV_HEADS_NOT_A_DIVISOR("k") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            int hkv = 2 + rnd.nextInt(3);
            c.kShape[1] = hkv;
            c.vShape[1] = hkv;
            c.qShape[1] = hkv * (1 + rnd.nextInt(2)) + 1;
        }
    },
    V_MISMATCH("v") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            c.vShape[2] = c.kShape[2] + 1;
        }
    },
    K_DTYPE("k") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            c.kDType = other(c.dtype, rnd);
        }
    },
    V_DTYPE("v") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            c.vDType = other(c.dtype, rnd);
        }
    },
    SCALE_NOT_FINITE("scale") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            double[] bad = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
            c.scale = bad[rnd.nextInt(bad.length)];
        }
    },
    WINDOW_NEGATIVE("window") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            c.window = true;
            if (rnd.nextBoolean()) {
                c.windowLeft = -1 - rnd.nextInt(5);
            } else {
                c.windowRight = Integer.MIN_VALUE + rnd.nextInt(3);
            }
        }
    },
    GLOBAL_WITHOUT_WINDOW("globalTokens") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            c.window = false;
            c.globalTokens = rnd.nextInt(4);
        }
    },
    GLOBAL_NEGATIVE("globalTokens") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            c.window = true;
            c.globalTokens = -1 - rnd.nextInt(3);
        }
    },
    TOKEN_TOPK_BELOW_ONE("topKTokens") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            c.topKTokens = -rnd.nextInt(3);
        }
    },
    BLOCK_TOPK_BELOW_ONE("topKBlocks") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            c.topKBlocks = true;
            c.topKBlocksK = 1;
            c.topKBlocksQ = 4;
            c.topKBlocksKTile = 4;
            switch (rnd.nextInt(3)) {
                case 0: c.topKBlocksK = -rnd.nextInt(2); break;
                case 1: c.topKBlocksQ = -rnd.nextInt(2); break;
                default: c.topKBlocksKTile = Integer.MIN_VALUE;
            }
        }
    },
    BLOCK_MASK_SHAPE("blockMask") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            if (c.blockMaskShape == null) {
                c.blockMaskQ = 1 + rnd.nextInt(8);
                c.blockMaskK = 1 + rnd.nextInt(8);
                c.blockMaskDensity = 0.5;
                c.blockMaskShape = new int[] {ceil(c.queryLength(), c.blockMaskQ), ceil(c.keyLength(), c.blockMaskK)};
            }
            int[] s = c.blockMaskShape;
            if (s.length == 2) {
                s[rnd.nextInt(2)] += rnd.nextBoolean() ? 1 : (s[0] > 1 && s[1] > 1 ? -1 : 2);
            } else {
                switch (rnd.nextInt(4)) {
                    case 0: s[0] = c.batch() + 1; break;
                    case 1: s[1] = c.queryHeads() + 1; break;
                    case 2: s[2] += 1; break;
                    default: s[3] += 1;
                }
            }
        }
    },
    LSE_WITHOUT_SOFTMAX("returnLse") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            c.normalizer = rnd.nextBoolean() ? Normalizer.SPARSEMAX : Normalizer.ENTMAX15;
            c.returnLse = true;
            c.callerLseShape = null;
        }
    },
    OUTPUT_SHAPE("output") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            c.outputDType = null;
            c.callerOutputDType = c.dtype;
            c.callerOutputShape = new int[] {c.batch(), c.queryHeads(), c.queryLength(), c.valueDim() + 1};
        }
    },
    OUTPUT_DTYPE("output") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            c.outputDType = c.dtype;
            c.callerOutputDType = other(c.dtype, rnd);
            c.callerOutputShape = new int[] {c.batch(), c.queryHeads(), c.queryLength(), c.valueDim()};
        }
    },
    OUTPUT_ALIASES_AN_INPUT("output") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            // Shapes that let O be an input: Hq = Hkv, Nq = Nk, D = Dv.
            c.kShape[1] = c.qShape[1];
            c.kShape[2] = c.qShape[2];
            c.vShape = c.kShape.clone();
            c.kShape[3] = c.qShape[3];
            c.vShape[3] = c.qShape[3];
            c.callerOutputShape = null;
            c.outputDType = null;
            c.blockMaskShape = null;
            c.outputAliases = new String[] {"q", "k", "v"}[rnd.nextInt(3)];
        }
    },
    LSE_OUTPUT_SHAPE_OR_TYPE("lseOutput") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            c.normalizer = Normalizer.SOFTMAX;
            c.nullNormalizer = false;
            if (rnd.nextBoolean()) {
                c.callerLseDType = DType.FP32;
                c.callerLseShape = new int[] {c.batch(), c.queryHeads(), c.queryLength() + 1};
            } else {
                c.callerLseDType = rnd.nextBoolean() ? DType.FP16 : DType.BF16;
                c.callerLseShape = new int[] {c.batch(), c.queryHeads(), c.queryLength()};
            }
        }
    },
    NULL_TENSOR("q", "k", "v") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            c.nullTensor = new String[] {"q", "k", "v"}[rnd.nextInt(3)];
        }
    },
    CLOSED_BEFORE_BUILD("q", "k", "v") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            c.closedBeforeBuild = new String[] {"q", "k", "v"}[rnd.nextInt(3)];
        }
    },
    CLOSED_BEFORE_CALL("q", "k", "v") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            c.closedBeforeCall = new String[] {"q", "k", "v"}[rnd.nextInt(3)];
        }
    },
    NULL_NORMALIZER("normalizer") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            c.nullNormalizer = true;
        }
    },
    UNKNOWN_PROVIDER("provider") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            c.provider = new String[] {"tpu", "", " ", "cpu2", "CUDA:0"}[rnd.nextInt(5)];
        }
    },
    GRAD_OUTPUT_SHAPE("gradOutput") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            c.backward = true;
            c.callerOutputShape = null;
            c.callerLseShape = null;
            c.gradOutputDelta = 1 + rnd.nextInt(2);
        }
    },
    PROBABILITIES_TOO_LARGE("returnProbabilities") {
        @Override
        void apply(FuzzCase c, Random rnd) {
            // 46341^2 fp32 probabilities need more than 2^31 - 1 bytes, from small inputs.
            c.qShape = new int[] {1, 1, 46_341, 1};
            c.kShape = new int[] {1, 1, 46_341, 1};
            c.vShape = new int[] {1, 1, 46_341, 1};
            c.blockMaskShape = null;
            c.topKBlocks = false;
            c.callerOutputShape = null;
            c.callerLseShape = null;
            c.returnProbabilities = true;
        }
    };

    private final String[] fields;

    Mutation(String... fields) {
        this.fields = fields;
    }

    /** Makes the valid case {@code c} invalid in this way. */
    abstract void apply(FuzzCase c, Random rnd);

    /** The fields one of which the IllegalArgumentException must name. */
    String[] fields() {
        return fields.clone();
    }

    static DType other(DType t, Random rnd) {
        DType[] all = DType.values();
        DType o;
        do {
            o = all[rnd.nextInt(all.length)];
        } while (o == t);
        return o;
    }

    static int ceil(int n, int b) {
        return (int) (((long) n + b - 1) / b);
    }
}
