package io.nexus.gateway;

import io.nexus.contracts.ErrorCode;
import io.nexus.contracts.llm.Llm;
import io.nexus.contracts.llm.Llm.ReportRef;
import io.vertx.ext.web.RoutingContext;

/**
 * The report download the JSON router cannot serve: an examination's report as
 * {@code text/markdown}, the latest version or the one asked for, to save as a file.
 */
final class ReportRoutes {
  private final ApiRoutes routes;

  ReportRoutes(ApiRoutes routes) {
    this.routes = routes;
  }

  /** Serves {@code GET /api/v1/ledgers/{ledgerId}/examinations/{examinationId}/report[?version=N]}. */
  void download(RoutingContext rc) {
    Integer version = null;
    String v = rc.request().getParam("version");
    if (v != null) {
      try {
        version = Integer.parseInt(v);
      } catch (NumberFormatException e) {
        version = 0;
      }
      if (version < 1) {
        Problems.send(rc, ErrorCode.BAD_REQUEST, "version: a report version is a whole number from 1");
        return;
      }
    }
    routes.call(rc, Llm.GET_REPORT, new ReportRef(rc.pathParam("ledgerId"), rc.pathParam("examinationId"), version))
        .onSuccess(r -> rc.response().putHeader("Content-Type", "text/markdown; charset=utf-8")
            .putHeader("Content-Disposition", "attachment; filename=\"examination-report-v" + r.version() + ".md\"")
            .putHeader("ETag", "\"" + r.sha256() + "\"")
            .putHeader("X-Content-Type-Options", "nosniff")
            .putHeader("Cache-Control", "private, no-cache")
            .end(r.markdown()))
        .onFailure(err -> ApiRoutes.fail(rc, err));
  }
}
