package io.trafficdistributor.service;

import jakarta.validation.ElementKind;
import jakarta.validation.Path;

/** Turns a Bean Validation property path into the JSON path a user wrote, e.g. {@code backends[1].url}. */
final class ViolationPaths {

    private ViolationPaths() {
    }

    static String field(Path path) {
        StringBuilder field = new StringBuilder();
        for (Path.Node node : path) {
            if (node.getIndex() != null && field.length() > 0) {
                field.append('[').append(node.getIndex()).append(']');
            }
            if (node.getKind() == ElementKind.CONTAINER_ELEMENT || node.getName() == null) {
                continue;
            }
            if (field.length() > 0) {
                field.append('.');
            }
            field.append(node.getName());
        }
        return field.length() == 0 ? "body" : field.toString();
    }
}
