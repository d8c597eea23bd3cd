package io.trafficdistributor.api;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Context;

import io.trafficdistributor.service.BackendDocument;
import io.trafficdistributor.service.DistributorDocument;
import io.trafficdistributor.service.DistributorService;
import io.trafficdistributor.proxy.TrafficViews;
import io.trafficdistributor.routing.StatusViews;
import io.trafficdistributor.service.InvalidDocumentException;
import io.trafficdistributor.service.Page;
import io.trafficdistributor.service.Write;

/** The distributor API: HTTP in and out (status codes, ETags, merge patches); the rules live in the service. */
@Path("/api/v1/distributors")
@Produces(MediaType.APPLICATION_JSON)
public class DistributorResource {

    static final String MERGE_PATCH = "application/merge-patch+json";
    static final int MAX_LIMIT = 1000;

    @Inject
    DistributorService distributors;

    @Inject
    StatusViews statuses;

    @Inject
    MergePatches mergePatches;

    @Inject
    TrafficViews traffic;

    @GET
    public Page<DistributorDocument> list(@QueryParam("limit") String limit, @QueryParam("offset") String offset,
            @QueryParam("hostname") String hostname, @QueryParam("q") String q) {
        int pageSize = intParam("limit", limit, 50, 1, MAX_LIMIT);
        int skip = intParam("offset", offset, 0, 0, Integer.MAX_VALUE);
        if (hostname != null && q != null) {
            throw new InvalidDocumentException("q", "use either q or hostname, not both");
        }
        if (q != null && !q.isEmpty()) {
            return distributors.search(q, pageSize, skip);
        }
        if (hostname != null) {
            List<DistributorDocument> match = distributors.findServing(hostname).stream().toList();
            List<DistributorDocument> page = match.stream().skip(skip).limit(pageSize).toList();
            return new Page<>(page, match.size(), pageSize, skip);
        }
        return distributors.list(pageSize, skip);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(DistributorDocument body, @Context UriInfo uri) {
        DistributorService.Created created = distributors.create(required(body));
        // The JSON its revision stores, written by the same mapper: not written a second time for the answer.
        return Response.created(location(uri, created.distributor())).tag(etag(created.distributor()))
                .entity(created.json()).type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    @GET
    @Path("{name}")
    public Response get(@PathParam("name") String name) {
        DistributorDocument distributor = distributors.get(name).orElseThrow(() -> DistributorService.notFound(name));
        return Response.ok(distributor).tag(etag(distributor)).build();
    }

    @PUT
    @Path("{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response put(@PathParam("name") String name, @HeaderParam("If-Match") String ifMatch,
            DistributorDocument body, @Context UriInfo uri) {
        Write write = distributors.put(name, IfMatch.parse(ifMatch), required(body));
        Response.ResponseBuilder response = write.created()
                ? Response.created(location(uri, write.distributor()))
                : Response.ok();
        return response.tag(etag(write.distributor())).entity(write.distributor()).build();
    }

    @PATCH
    @Path("{name}")
    @Consumes(MERGE_PATCH)
    public Response patch(@PathParam("name") String name, @HeaderParam("If-Match") String ifMatch, String patch) {
        var mergePatch = mergePatches.parse(patch);
        DistributorDocument patched = distributors.update(name, IfMatch.parse(ifMatch),
                current -> mergePatches.apply(mergePatch, current, DistributorDocument.class));
        return Response.ok(patched).tag(etag(patched)).build();
    }

    @PATCH
    @Path("{name}/backends/{backend}")
    @Consumes(MERGE_PATCH)
    public Response patchBackend(@PathParam("name") String name, @PathParam("backend") String backend,
            @HeaderParam("If-Match") String ifMatch, String patch) {
        var mergePatch = mergePatches.parse(patch);
        DistributorDocument patched = distributors.update(name, IfMatch.parse(ifMatch), current -> {
            List<BackendDocument> backends = new ArrayList<>(current.backends());
            int index = DistributorService.indexOf(backends, backend);
            if (index < 0) {
                throw DistributorService.backendNotFound(name, backend);
            }
            backends.set(index, mergePatches.apply(mergePatch, backends.get(index), BackendDocument.class,
                    "backends[" + index + "]"));
            return current.withBackends(backends);
        });
        return Response.ok(patched).tag(etag(patched)).build();
    }

    /** Adds one backend; answers, as the other backend calls do, with the whole distributor and its new ETag. */
    @POST
    @Path("{name}/backends")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response addBackend(@PathParam("name") String name, @QueryParam("position") String position,
            @HeaderParam("If-Match") String ifMatch, BackendDocument body, @Context UriInfo uri) {
        if (body == null) {
            throw new InvalidDocumentException("body", "a backend document is required");
        }
        Integer at = position == null || position.isEmpty() ? null : intParam("position", position, 0, 0, Integer.MAX_VALUE);
        DistributorDocument changed = distributors.addBackend(name, IfMatch.parse(ifMatch), body, at);
        // Backend names are [A-Za-z0-9_.-]: nothing to encode.
        URI backendUri = uri.getBaseUri().resolve("api/v1/distributors/" + changed.name() + "/backends/" + body.name());
        return Response.created(backendUri).tag(etag(changed)).entity(changed).build();
    }

    /** Removes one backend; answers with the whole distributor and its new ETag, as its PATCH does. */
    @DELETE
    @Path("{name}/backends/{backend}")
    public Response removeBackend(@PathParam("name") String name, @PathParam("backend") String backend,
            @HeaderParam("If-Match") String ifMatch) {
        DistributorDocument changed = distributors.removeBackend(name, IfMatch.parse(ifMatch), backend);
        return Response.ok(changed).tag(etag(changed)).build();
    }

    @DELETE
    @Path("{name}")
    public Response delete(@PathParam("name") String name, @HeaderParam("If-Match") String ifMatch) {
        distributors.delete(name, IfMatch.parse(ifMatch));
        return Response.noContent().build();
    }

    @GET
    @Path("{name}/status")
    public Response status(@PathParam("name") String name) {
        return Response.ok(statuses.status(name)).build();
    }

    /** Recent requests per second per backend and health transitions, from this process's counters (the console's chart). */
    @GET
    @Path("{name}/traffic")
    public Response traffic(@PathParam("name") String name) {
        return Response.ok(traffic.traffic(name)).build();
    }

    private static DistributorDocument required(DistributorDocument body) {
        if (body == null) {
            throw new InvalidDocumentException("body", "a distributor document is required");
        }
        return body;
    }

    private static URI location(UriInfo uri, DistributorDocument distributor) {
        // Names are [a-z0-9-]: nothing to encode, and a UriBuilder per write showed in the creation profile.
        return uri.getBaseUri().resolve("api/v1/distributors/" + distributor.name());
    }

    static EntityTag etag(DistributorDocument distributor) {
        return new EntityTag(String.valueOf(distributor.version()));
    }

    static int intParam(String name, String value, int defaultValue, int min, int max) {
        if (value == null || value.isEmpty()) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidDocumentException(name, "must be an integer from " + min + " to " + max);
    }

    /** {@code If-Match}: absent or {@code *} means no version check; otherwise the version it names. */
    static final class IfMatch {
        private IfMatch() {
        }

        static OptionalLong parse(String header) {
            if (header == null || header.isBlank() || header.trim().equals("*")) {
                return OptionalLong.empty();
            }
            String tag = header.trim();
            if (tag.startsWith("W/")) {
                tag = tag.substring(2);
            }
            tag = tag.replace("\"", "");
            try {
                return OptionalLong.of(Long.parseLong(tag));
            } catch (NumberFormatException e) {
                // An entity tag we never issued can never match the current one.
                return OptionalLong.of(-1);
            }
        }
    }
}
