package io.carrot.core.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Core's packages are layers: no package cycle, and nothing outside the JDK and Jackson. Main
 * classes only; tests may cross layers.
 */
class LayeringTest {
  private static JavaClasses core;

  @BeforeAll
  static void importCore() {
    core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.carrot.core");
  }

  @Test
  void importedTheWholeOfCore() {
    // a mis-configured importer would make the rules below pass vacuously
    assertThat(core.stream().map(c -> c.getPackageName()).distinct())
        .contains("io.carrot.core", "io.carrot.core.predict", "io.carrot.core.predict.knn", "io.carrot.core.eval", "io.carrot.core.index");
    assertThat(core.contain("io.carrot.core.arch.LayeringTest")).isFalse();
  }

  @Test
  void noCycleBetweenTopLevelPackages() {
    // a top-level package together with its sub-packages (predict with predict.knn, ...) is one slice
    slices().matching("io.carrot.core.(*)..").should().beFreeOfCycles().check(core);
  }

  @Test
  void noCycleBetweenAnyTwoPackages() {
    // every package its own slice: predict may be used by predict.knn, never the other way round
    slices().matching("io.carrot.core.(**)").should().beFreeOfCycles().check(core);
  }

  @Test
  void coreDependsOnNothingButTheJdkAndJackson() {
    classes()
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("io.carrot.core..", "java..", "javax..", "com.fasterxml.jackson..")
        .check(core);
  }

  @Test
  void theCycleRuleCatchesACycle() {
    // the rule is not vacuous: over a known two-package cycle (java.lang.String <-> java.util.Locale)
    // it must fail
    EvaluationResult r =
        slices()
            .matching("java.(*)..")
            .should()
            .beFreeOfCycles()
            .evaluate(new ClassFileImporter().importClasses(String.class, java.util.List.class, java.util.Locale.class));
    assertThat(r.hasViolation()).isTrue();
  }
}
