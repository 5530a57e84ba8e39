package dev.wharf.control;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * DESIGN.md's module rules, checked on the compiled main classes of every module this one sees (all
 * but bench): the core knows no feature and no I/O backend; a feature knows the core, never another
 * feature (but ipvs-lb may use nat-conntrack), nor an I/O backend, nor the control plane; nothing below
 * the control plane knows it; the core's packages form no cycle. Each rule fails on an empty match,
 * so a renamed package cannot make one pass by checking nothing.
 */
class ModuleRulesTest
{
    private static final String CORE = "dev.wharf.dataplane..";
    private static final String IO = "dev.wharf.io..";
    private static final String VXLAN = "dev.wharf.vxlan..";
    private static final String NAT = "dev.wharf.nat..";
    private static final String LB = "dev.wharf.lb..";
    private static final String CONTROL = "dev.wharf.control..";
    private static final String BENCH = "dev.wharf.bench..";

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses()
    {
        classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("dev.wharf");
    }

    @Test
    void theCoreKnowsNoFeatureNoBackendAndNoControlPlane()
    {
        check(noClasses().that().resideInAPackage(CORE)
            .should().dependOnClassesThat().resideInAnyPackage(IO, VXLAN, NAT, LB, CONTROL, BENCH)
            .because("features plug into the core's arcs; the core never names them"));
        check(noClasses().that().resideInAPackage(CORE)
            .should().dependOnClassesThat().resideInAnyPackage("jnr..", "io.netty..", "io.grpc..")
            .because("system calls and transports belong to the port backends and the underlay"));
    }

    @Test
    void featuresKnowTheCoreButNotEachOther()
    {
        check(noClasses().that().resideInAPackage(NAT)
            .should().dependOnClassesThat().resideInAnyPackage(IO, VXLAN, LB, CONTROL, BENCH));
        check(noClasses().that().resideInAPackage(VXLAN)
            .should().dependOnClassesThat().resideInAnyPackage(IO, NAT, LB, CONTROL, BENCH));
        check(noClasses().that().resideInAPackage(LB)
            .should().dependOnClassesThat().resideInAnyPackage(IO, VXLAN, CONTROL, BENCH)
            .because("ipvs-lb may use nat-conntrack's connection table, and nothing else beside the core"));
    }

    @Test
    void portBackendsKnowOnlyTheCore()
    {
        check(noClasses().that().resideInAPackage(IO)
            .should().dependOnClassesThat().resideInAnyPackage(VXLAN, NAT, LB, CONTROL, BENCH));
    }

    @Test
    void theCorePackagesFormNoCycle()
    {
        check(slices().matching("dev.wharf.dataplane.(*)..").should().beFreeOfCycles());
    }

    private static void check(final ArchRule rule)
    {
        rule.check(classes);
    }
}
