package io.trafficdistributor.api;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import io.trafficdistributor.routing.CompiledDistributor;
import io.trafficdistributor.routing.Routes;
import io.trafficdistributor.service.CertificateDocument;
import io.trafficdistributor.service.CertificateService;
import io.trafficdistributor.service.CertificateUpload;
import io.trafficdistributor.service.CertificateWrite;
import io.trafficdistributor.service.InvalidDocumentException;
import io.trafficdistributor.service.Page;
import io.trafficdistributor.tls.CertificateStore;

/**
 * The certificates API (DESIGN §7): upload, list, read, rotate, delete. Answers never hold a private key. Each
 * answer says which of the distributors' hostnames the certificate serves now, as the HTTPS listener selects.
 */
@Path("/api/v1/certificates")
@Produces(MediaType.APPLICATION_JSON)
public class CertificateResource {

    @Inject
    CertificateService certificates;

    @Inject
    CertificateStore store;

    @Inject
    Routes routes;

    @GET
    public Page<CertificateDocument> list(@QueryParam("limit") String limit, @QueryParam("offset") String offset) {
        int pageSize = DistributorResource.intParam("limit", limit, 50, 1, DistributorResource.MAX_LIMIT);
        int skip = DistributorResource.intParam("offset", offset, 0, 0, Integer.MAX_VALUE);
        Page<CertificateDocument> page = certificates.list(pageSize, skip);
        List<String> hostnames = hostnames();
        return new Page<>(page.items().stream().map(c -> withHostnames(c, hostnames)).toList(), page.total(),
                page.limit(), page.offset());
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(CertificateUpload body, @Context UriInfo uri) {
        CertificateDocument created = withHostnames(certificates.create(required(body)), hostnames());
        return Response.created(location(uri, created)).tag(etag(created)).entity(created).build();
    }

    @GET
    @Path("{name}")
    public Response get(@PathParam("name") String name) {
        CertificateDocument certificate = certificates.get(name).orElseThrow(() -> CertificateService.notFound(name));
        CertificateDocument shown = withHostnames(certificate, hostnames());
        return Response.ok(shown).tag(etag(shown)).build();
    }

    @PUT
    @Path("{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response put(@PathParam("name") String name, @HeaderParam("If-Match") String ifMatch, CertificateUpload body,
            @Context UriInfo uri) {
        CertificateWrite write = certificates.put(name, DistributorResource.IfMatch.parse(ifMatch), required(body));
        CertificateDocument shown = withHostnames(write.certificate(), hostnames());
        Response.ResponseBuilder response = write.created() ? Response.created(location(uri, shown)) : Response.ok();
        return response.tag(etag(shown)).entity(shown).build();
    }

    @DELETE
    @Path("{name}")
    public Response delete(@PathParam("name") String name, @HeaderParam("If-Match") String ifMatch) {
        certificates.delete(name, DistributorResource.IfMatch.parse(ifMatch));
        return Response.noContent().build();
    }

    /** Every hostname of every distributor now routed. */
    private List<String> hostnames() {
        List<String> all = new ArrayList<>();
        for (CompiledDistributor distributor : routes.table().distributors()) {
            all.addAll(distributor.hostnames());
        }
        return all;
    }

    private CertificateDocument withHostnames(CertificateDocument certificate, List<String> hostnames) {
        return certificate.withHostnames(store.hostnamesServedBy(certificate.name(), hostnames).stream().sorted().toList());
    }

    private static CertificateUpload required(CertificateUpload body) {
        if (body == null) {
            throw new InvalidDocumentException("body", "a certificate document is required");
        }
        return body;
    }

    private static URI location(UriInfo uri, CertificateDocument certificate) {
        return uri.getBaseUri().resolve("api/v1/certificates/" + certificate.name());
    }

    private static EntityTag etag(CertificateDocument certificate) {
        return new EntityTag(String.valueOf(certificate.version()));
    }
}
