package io.trafficdistributor.service.validation;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;

import io.trafficdistributor.domain.RoutingMethod;
import io.trafficdistributor.service.BackendDocument;
import io.trafficdistributor.service.DistributorDocument;

public class ValidBackendsValidator implements ConstraintValidator<ValidBackends, DistributorDocument> {

    @Override
    public boolean isValid(DistributorDocument distributor, ConstraintValidatorContext context) {
        List<BackendDocument> backends = distributor.backends();
        if (backends == null || backends.isEmpty() || backends.contains(null)) {
            return true; // reported by the field constraints
        }
        context.disableDefaultConstraintViolation();
        boolean valid = true;
        Set<String> names = new HashSet<>();
        for (int i = 0; i < backends.size(); i++) {
            String name = backends.get(i).name();
            if (name != null && !names.add(name)) {
                context.buildConstraintViolationWithTemplate("duplicate backend name '" + escape(name) + "'")
                        .addPropertyNode("backends").addPropertyNode("name").inIterable().atIndex(i)
                        .addConstraintViolation();
                valid = false;
            }
        }
        RoutingMethod routing = distributor.routing();
        if (routing == RoutingMethod.FAILOVER && backends.size() < 2) {
            context.buildConstraintViolationWithTemplate("FAILOVER needs at least 2 backends")
                    .addPropertyNode("backends").addConstraintViolation();
            valid = false;
        }
        if ((routing == RoutingMethod.ROUND_ROBIN || routing == RoutingMethod.STICKY_SESSIONS)
                && backends.stream().map(BackendDocument::weight).filter(Objects::nonNull).noneMatch(w -> w > 0)) {
            context.buildConstraintViolationWithTemplate(routing + " needs at least one backend with a weight above 0")
                    .addPropertyNode("backends").addConstraintViolation();
            valid = false;
        }
        return valid;
    }

    /** Message templates interpret braces and dollar signs; a user's text must not. */
    private static String escape(String text) {
        return text.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}").replace("$", "\\$");
    }
}
