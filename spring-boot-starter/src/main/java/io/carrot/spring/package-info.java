/**
 * Spring Boot auto-configuration for carrot: binds {@code carrot.*} properties
 * ({@link io.carrot.spring.CarrotProperties}), exposes a {@link io.carrot.api.CarrotRouter} bean and,
 * when LangChain4j is on the classpath, routing {@code ChatModel} and {@code StreamingChatModel}
 * beans over the application's own chat models; records Micrometer metrics of every decision and
 * contributes a health indicator. Bad configuration fails at start-up naming the property and value.
 */
package io.carrot.spring;
