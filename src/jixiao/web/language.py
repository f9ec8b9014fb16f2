"""Every answer in Chinese: request validation (FastAPI's 422s), the framework's own errors ("Not
Found", "Method Not Allowed"), an unexpected failure, and the OpenAPI description of them.

- a request whose parameters do not validate answers 422 with ``{"detail": "一句中文",
  "errors": [{"where": …, "message": …}]}`` (the API) or the error page (a browser); a page whose
  *path* does not name anything (``/units/430900/years/1800``) is a 404 page, since the address
  leads nowhere;
- :func:`chinese_detail` words an HTTP error whose detail is not Chinese by its status;
- :func:`chinese_openapi` puts the same into ``/openapi.json`` (the 422 response, its schema).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response

from jixiao.problems import validation_message

log = logging.getLogger("jixiao.web")

#: the Chinese name of each parameter a route takes (the API's and the pages')
PARAMETER_NAMES = {
    "year": "年度", "unit": "单位代码", "fmt": "格式", "part": "报告", "indicators": "指标", "fund": "基金",
    "sort": "排序", "order": "顺序", "offset": "起始行", "limit": "行数", "page": "页码", "file": "文件",
    "values": "表单值", "rules": "规则集", "q": "搜索", "level": "层级", "region": "地区", "warning": "预警",
    "user_id": "用户编号", "token_id": "令牌编号", "code": "单位代码", "entity": "对象类别", "key": "对象",
    "since": "起始日期", "until": "截止日期", "username": "用户名", "action": "操作", "body": "请求体",
}
_PLACES = {"path": "地址中的", "query": "参数", "body": "请求体中的", "header": "请求头", "cookie": "Cookie"}

#: what an HTTP status means, for errors raised without a Chinese detail
STATUS_TEXT = {
    400: "请求格式有误", 401: "未登录或令牌无效", 403: "没有权限", 404: "找不到页面或数据", 405: "不支持这种请求方式",
    406: "无法提供所要求的格式", 409: "数据已被他人修改，请刷新后重试", 413: "请求内容太大", 415: "文件类型不支持",
    422: "请求参数有误", 429: "请求过于频繁，请稍后再试", 500: "服务器内部错误，请稍后再试或联系管理员",
    503: "服务暂时不可用，请稍后再试",
}


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def chinese_detail(status: int, detail: Any) -> str:
    """``detail`` when it is a Chinese sentence already, else what ``status`` means in Chinese."""
    if isinstance(detail, str) and has_chinese(detail):
        return detail
    return STATUS_TEXT.get(status, "请求无法处理" if status < 500 else STATUS_TEXT[500])


def _where(loc: Sequence[Any]) -> str:
    """``("query", "year")`` → 参数“年度”; ``("body", "values", "x")`` → 请求体中的“表单值”."""
    place = _PLACES.get(str(loc[0]), "") if loc else ""
    names = [str(p) for p in loc[1:] if not isinstance(p, int)] if loc else []
    if not names:
        return "请求体" if place == _PLACES["body"] else "请求"
    shown = f"{place}“{PARAMETER_NAMES.get(names[0], names[0])}”"
    return shown + (f"中的“{'.'.join(names[1:])}”" if len(names) > 1 else "")


def validation_errors(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """FastAPI's validation errors as ``[{"where": …, "message": …}]`` in Chinese."""
    out = []
    for err in errors:
        loc = tuple(err.get("loc", ()))
        if err.get("type") == "missing" and loc[:1] == ("body",) and len(loc) <= 2:
            out.append({"where": _where(loc), "message": "缺少此项"})
            continue
        out.append({"where": _where(loc), "message": validation_message(err)})
    return out


def validation_sentence(items: Sequence[Mapping[str, str]], lead: str = "请求参数有误") -> str:
    parts = [f"{item['where']}：{item['message']}" for item in items[:5]]
    more = f"等 {len(items)} 处" if len(items) > 5 else ""
    return f"{lead}——" + "；".join(parts) + more


def _wants_html(request: Request) -> bool:
    path = request.url.path
    api = path == "/api" or path.startswith("/api/") or path == "/openapi.json"
    return not api and "text/html" in request.headers.get("accept", "text/html")


def _page(request: Request, status: int, detail: str) -> Response:
    templates = request.app.state.templates
    return templates.TemplateResponse(request, "error.html", {"status": status, "detail": detail},
                                      status_code=status)


def install(app: FastAPI) -> None:
    """The handlers that keep every error Chinese, and the Chinese OpenAPI description."""

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        items = validation_errors(exc.errors())
        if _wants_html(request):
            in_path = any(tuple(e.get("loc", ()))[:1] == ("path",) for e in exc.errors())
            if in_path:  # the address leads to no page
                return _page(request, 404, validation_sentence(items, "网址有误，找不到这一页"))
            return _page(request, 422, validation_sentence(items))
        return JSONResponse({"detail": validation_sentence(items), "errors": items}, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("未处理的错误：%s %s", request.method, request.url.path, exc_info=exc)
        if _wants_html(request):
            return _page(request, 500, STATUS_TEXT[500])
        return JSONResponse({"detail": STATUS_TEXT[500]}, status_code=500)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = chinese_openapi(get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def chinese_openapi(schema: dict[str, Any]) -> dict[str, Any]:
    """The 422 answer as this app gives it: a Chinese sentence and the errors by place."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.pop("ValidationError", None)
    components["HTTPValidationError"] = {
        "title": "参数错误", "type": "object", "required": ["detail", "errors"],
        "properties": {
            "detail": {"title": "说明", "type": "string", "description": "一句中文，列出未通过校验的参数"},
            "errors": {"title": "各处错误", "type": "array", "items": {
                "type": "object", "properties": {"where": {"title": "位置", "type": "string"},
                                                 "message": {"title": "问题", "type": "string"}}}},
        },
    }
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            answer = operation.get("responses", {}).get("422")
            if isinstance(answer, dict) and answer.get("description") == "Validation Error":
                answer["description"] = "参数有误（未做任何修改）"
            default = operation.get("responses", {}).get("200")
            if isinstance(default, dict) and default.get("description") == "Successful Response":
                default["description"] = "成功"
    return schema


__all__ = ["PARAMETER_NAMES", "chinese_detail", "chinese_openapi", "install", "validation_errors"]
