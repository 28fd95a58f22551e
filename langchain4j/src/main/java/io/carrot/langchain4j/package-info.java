/**
 * carrot for LangChain4j: {@link io.carrot.langchain4j.RoutingChatModel} and
 * {@link io.carrot.langchain4j.RoutingStreamingChatModel} are LangChain4j chat models that wrap
 * named chat models of any provider and send each request to the one carrot picks for its last user
 * message, falling back to the next-best candidate when a model fails before answering. The
 * decision travels in the response as {@link io.carrot.langchain4j.CarrotResponseMetadata}.
 */
package io.carrot.langchain4j;
