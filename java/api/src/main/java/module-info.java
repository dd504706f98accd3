/**
 * attn4j's API and provider SPI. A real module (the provider jars are automatic modules) so that an application on
 * the module path needs only {@code requires org.attn4j.api}: SLF4J comes with it, and {@code uses} binds every
 * provider jar on the module path through ServiceLoader.
 */
module org.attn4j.api {
    requires org.slf4j;
    // sun.misc.Unsafe.invokeCleaner frees host memory on JDK 17 to 21.
    requires jdk.unsupported;

    exports org.attn4j;
    exports org.attn4j.mask;
    exports org.attn4j.spi;
    exports org.attn4j.decode;
    // Host storage limits shared with this project's providers; not part of the API.
    exports org.attn4j.internal;

    uses org.attn4j.spi.AttentionProvider;
}
