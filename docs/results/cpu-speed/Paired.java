// Two builds of the cpu provider in one JVM, each in its own class loader, called in turn: B=1 H=8 N D=64 fp32,
// dense or token top-N/10, same inputs. Each pair of adjacent calls shares the machine's minute, so the ratio of a
// pair is steadier than best-of times taken minutes apart on a shared machine. Prints every pair after WARM pairs,
// then the median and the range of the ratios A/B.
//   java --add-modules jdk.incubator.vector docs/results/cpu-speed/Paired.java N MODE WARM PAIRS A_CLASSES B_CLASSES
// where *_CLASSES are colon-separated class path entries (api and cpu target/classes and the SLF4J API jar).
import java.io.File;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Arrays;
import java.util.Random;

public class Paired {
    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[0]);
        String mode = a[1];
        int warm = Integer.parseInt(a[2]);
        int pairs = Integer.parseInt(a[3]);
        Build[] builds = {new Build(a[4], n, mode), new Build(a[5], n, mode)};
        double[] ratios = new double[pairs];
        for (int i = 0; i < warm + pairs; i++) {
            double ta = builds[0].call();
            double tb = builds[1].call();
            if (i >= warm) {
                ratios[i - warm] = ta / tb;
                System.out.printf("%s A %.1f ms, B %.1f ms, A/B %.2f%n", java.time.LocalTime.now().withNano(0), ta, tb,
                        ta / tb);
            }
        }
        Arrays.sort(ratios);
        System.out.printf("%s N=%d: A/B median %.2f, range %.2f-%.2f over %d pairs%n", mode, n, ratios[pairs / 2],
                ratios[0], ratios[pairs - 1], pairs);
    }

    /** One build's api and provider, reached by reflection through its own loader. */
    static final class Build {
        final Object request;
        final Method forward;
        final Method close;

        Build(String classPath, int n, String mode) throws Exception {
            String[] parts = classPath.split(":");
            URL[] urls = new URL[parts.length];
            for (int i = 0; i < parts.length; i++) {
                urls[i] = new File(parts[i]).toURI().toURL();
            }
            ClassLoader loader = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
            Thread.currentThread().setContextClassLoader(loader);
            Class<?> dtype = loader.loadClass("org.attn4j.DType");
            Class<?> tensor = loader.loadClass("org.attn4j.Tensor");
            Class<?> requestClass = loader.loadClass("org.attn4j.AttentionRequest");
            Class<?> attention = loader.loadClass("org.attn4j.Attention");
            Object fp32 = dtype.getField("FP32").get(null);
            Method of = tensor.getMethod("of", dtype, float[].class, int[].class);
            int h = 8;
            int d = 64;
            Random r = new Random(1);
            Object[] qkv = new Object[3];
            for (int t = 0; t < 3; t++) {
                float[] x = new float[h * n * d];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) r.nextGaussian();
                }
                qkv[t] = of.invoke(null, fp32, x, new int[] {1, h, n, d});
            }
            Object builder = requestClass.getMethod("builder", tensor, tensor, tensor).invoke(null, qkv);
            if (mode.equals("topk")) {
                builder.getClass().getMethod("topKTokens", int.class).invoke(builder, n / 10);
            }
            request = builder.getClass().getMethod("build").invoke(builder);
            forward = attention.getMethod("forward", requestClass, String.class);
            close = loader.loadClass("org.attn4j.AttentionResult").getMethod("close");
        }

        double call() throws Exception {
            long t0 = System.nanoTime();
            Object result = forward.invoke(null, request, "cpu");
            double ms = (System.nanoTime() - t0) / 1e6;
            close.invoke(result);
            return ms;
        }
    }
}
