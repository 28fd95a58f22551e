package io.carrot.spring;

import io.carrot.core.CarrotException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.springframework.beans.factory.ListableBeanFactory;

/**
 * Finds which chat model beans stand for which router models: the explicit
 * {@code carrot.langchain4j.models} map when it is set, otherwise every bean whose name, or whose
 * configured model name, is a router model name.
 */
final class NamedModels {
  private NamedModels() {}

  /**
   * @param self the routing model's own bean name, never a candidate
   * @param configuredName the model name a bean is configured with, or null
   * @return router model name to bean, in bean definition order
   */
  static <M> Map<String, M> resolve(
      ListableBeanFactory beans,
      Class<M> type,
      String self,
      Map<String, String> explicit,
      List<String> routerModels,
      Function<M, String> configuredName) {
    Map<String, M> out = new LinkedHashMap<>();
    Map<String, String> source = new LinkedHashMap<>();
    if (!explicit.isEmpty()) {
      for (Map.Entry<String, String> e : explicit.entrySet()) {
        String property = "carrot.langchain4j.models." + e.getKey();
        if (!routerModels.contains(e.getValue())) {
          throw Settings.invalid(property, e.getValue(), "Not one of the router's models " + routerModels + ".");
        }
        if (!beans.containsBean(e.getKey())) {
          throw Settings.invalid(property, e.getValue(), "There is no bean named '" + e.getKey() + "' to route to.");
        }
        if (beans.isTypeMatch(e.getKey(), type)) {
          put(out, source, e.getValue(), e.getKey(), beans.getBean(e.getKey(), type));
        }
      }
      return out;
    }
    for (String name : beans.getBeanNamesForType(type)) {
      if (name.equals(self)) {
        continue;
      }
      if (routerModels.contains(name)) {
        put(out, source, name, name, beans.getBean(name, type));
        continue;
      }
      M bean = beans.getBean(name, type);
      String model = configuredName.apply(bean);
      if (model != null && routerModels.contains(model)) {
        put(out, source, model, name, bean);
      }
    }
    return out;
  }

  private static <M> void put(Map<String, M> out, Map<String, String> source, String model, String beanName, M bean) {
    String previous = source.putIfAbsent(model, beanName);
    if (previous != null) {
      throw new CarrotException(
          "carrot: beans '" + previous + "' and '" + beanName + "' both stand for router model '" + model
              + "'; list the beans to route to with carrot.langchain4j.models.<bean name>=<router model>");
    }
    out.put(model, bean);
  }

  static String noneMatched(String kind, String[] beanNames, String self, List<String> routerModels) {
    List<String> names = new ArrayList<>(List.of(beanNames));
    names.remove(self);
    return "carrot: none of the " + kind + " beans " + names + " stands for one of the router's models " + routerModels
        + ": name a bean after a router model, configure its model name to one, or map it with "
        + "carrot.langchain4j.models.<bean name>=<router model>; carrot.langchain4j.enabled=false turns the routing "
        + kind + " off";
  }
}
