"""Call and type hierarchy in Go, TypeScript/JavaScript, Java and Rust over stdio, on the
language fixtures: prepare at a call or a declaration, incoming and outgoing calls across files,
only the calls the map resolves (a Go package-qualified call, methods through typed receivers, a
Java overload the arguments cannot choose: nothing); supertypes and subtypes where the language
has them (Java extends/implements, TypeScript classes and interfaces, Go embedding, Rust trait
impls)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from .lsp import answer, copy_fixture, doc, position_of, running

pytestmark = pytest.mark.asyncio


async def prepare(client, path: Path, line_text: str, name: str | None = None):
    got = await answer(client.text_document_prepare_call_hierarchy_async(types.CallHierarchyPrepareParams(
        text_document=doc(path), position=position_of(path, line_text, name))))
    return got[0] if got else None


async def incoming(client, item) -> set[tuple[str, str, tuple[int, ...]]]:
    """(caller's file name, caller's name, the call lines) per caller."""
    got = await answer(client.call_hierarchy_incoming_calls_async(
        types.CallHierarchyIncomingCallsParams(item=item)))
    return {(Path(c.from_.uri).name, c.from_.name, tuple(r.start.line for r in c.from_ranges)) for c in got or []}


async def outgoing(client, item) -> set[tuple[str, str]]:
    """(callee's file name, callee's name) per callee."""
    got = await answer(client.call_hierarchy_outgoing_calls_async(
        types.CallHierarchyOutgoingCallsParams(item=item)))
    return {(Path(c.to.uri).name, c.to.name) for c in got or []}


async def type_item(client, path: Path, line_text: str, name: str):
    got = await answer(client.text_document_prepare_type_hierarchy_async(types.TypeHierarchyPrepareParams(
        text_document=doc(path), position=position_of(path, line_text, name))))
    return got[0] if got else None


async def supers(client, item) -> set[str]:
    got = await answer(client.type_hierarchy_supertypes_async(types.TypeHierarchySupertypesParams(item=item)))
    return {i.name for i in got or []}


async def subs(client, item) -> set[str]:
    got = await answer(client.type_hierarchy_subtypes_async(types.TypeHierarchySubtypesParams(item=item)))
    return {i.name for i in got or []}


def line(path: Path, line_text: str) -> int:
    return position_of(path, line_text).line


async def test_go(tmp_path):
    shop = copy_fixture("go", tmp_path / "shop")
    server, store, main = shop / "server/server.go", shop / "internal/store/store.go", shop / "main.go"
    async with running(shop, tmp_path / "cache") as client:
        # at a call through a field of a typed receiver: the method, declared in another package
        put = await prepare(client, server, "srv.st.Put(", "Put")
        assert put is not None and put.name == "Put" and put.uri == store.as_uri()
        assert await incoming(client, put) == {("server.go", "Start", (line(server, "srv.st.Put("),))}
        # a package-qualified call under the package clause's name (util is package textutil)
        join = await prepare(client, main, "textutil.Join(", "Join")
        assert join is not None and join.uri == (shop / "util/strings.go").as_uri()
        assert await incoming(client, join) == {("main.go", "main", (line(main, "textutil.Join("),))}
        # what Start calls: methods of its fields and embedded struct, a function by package
        # alias; fmt.Println is outside the workspace
        start = await prepare(client, server, "func (srv *Server) Start", "Start")
        assert await outgoing(client, start) == {
            ("store.go", "Put"), ("limits.go", "Clip"), ("server.go", "Describe"), ("query.go", "Total")}
        # Go has no inheritance; embedding is what the map follows (promoted fields and methods)
        srv = await type_item(client, server, "type Server struct", "Server")
        assert await supers(client, srv) == {"Base"}
        base = await type_item(client, server, "type Base struct", "Base")
        assert await subs(client, base) == {"Server"}
        # a type alias is its target, not a subtype of it
        alias = await type_item(client, shop / "util/shapes.go", "Alias = Rect", "Alias")
        assert await supers(client, alias) == set()


SHAPES_TS = """\
/** Anything with an area. */
export interface Shape {
  area(): number;
}

export interface Named extends Shape {
  name: string;
}

export class Box<T> {}

export abstract class Polygon implements Shape {
  constructor(protected sides: number) {}
  abstract area(): number;
}

export class Square extends Polygon implements Named {
  name = "square";
  constructor(public side: number) {
    super(4);
  }
  area(): number {
    return this.side * this.side;
  }
}

export class Crate extends Box<Square> {}
"""


async def test_typescript_and_javascript(tmp_path):
    web = copy_fixture("typescript", tmp_path / "web")
    shapes = web / "src/models/shapes.ts"
    shapes.write_text(SHAPES_TS)
    app, greet = web / "src/app.ts", web / "src/legacy/greet.js"
    async with running(web, tmp_path / "cache") as client:
        # a default import of a JavaScript file; it calls through a CommonJS require
        item = await prepare(client, app, "greet(label)", "greet")
        assert item is not None and item.uri == greet.as_uri()
        assert await incoming(client, item) == {("app.ts", "checkout", (line(app, "greet(label)"),))}
        assert await outgoing(client, item) == {("strings.js", "shout")}
        checkout = await prepare(client, app, "export function checkout", "checkout")
        assert await outgoing(client, checkout) == {
            ("cart.ts", "Cart"), ("cart.ts", "add"), ("text.ts", "slugify"), ("greet.js", "greet"),
            ("money.ts", "formatMoney"), ("cart.ts", "total")}
        # classes and interfaces: extends and implements both ways; a type argument is not one
        square = await type_item(client, shapes, "export class Square", "Square")
        assert await supers(client, square) == {"Polygon", "Named"}
        shape = await type_item(client, shapes, "export interface Shape", "Shape")
        assert await subs(client, shape) == {"Named", "Polygon"}
        sq_subs = await subs(client, square)
        assert sq_subs == set()  # `Crate extends Box<Square>` is no subtype of Square
        crate = await type_item(client, shapes, "export class Crate", "Crate")
        assert await supers(client, crate) == {"Box"}


async def test_java(tmp_path):
    ws = copy_fixture("java", tmp_path / "shop")
    src = ws / "src/main/java/com/acme"
    main, util, circle, shape = src / "app/Main.java", src / "util/MathUtil.java", src / "model/Circle.java", \
        src / "model/Shape.java"
    async with running(ws, tmp_path / "cache") as client:
        # a method's callers are methods (Main.main), not its class
        total = await prepare(client, main, "public double total()", "total")
        assert await incoming(client, total) == {("Main.java", "main", (line(main, "m.total()"),))}
        square = await prepare(client, util, "public static double square", "square")
        assert await incoming(client, square) == {
            ("Broken.java", "bad", (6,)), ("Main.java", "total", (line(main, "square(2.0)"),)),
            ("Circle.java", "area", (line(circle, "MathUtil.square(radius)"),))}
        calls = await outgoing(client, await prepare(client, main, "public static void main", "main"))
        assert {("Circle.java", "scaled"), ("MathUtil.java", "sum"), ("Main.java", "add"),
                ("Strings.java", "upper"), ("Point.java", "moved")} <= calls
        # MathUtil.max(1, 2): two overloads of two parameters; the map cannot choose: nothing
        assert not any(name == "max" for _, name in calls)
        assert await prepare(client, main, "MathUtil.max(1, 2)", "max") is None
        # a constructor's callers: the `new Circle(...)` its argument count fits
        ctor = await prepare(client, circle, "public Circle(double radius)", "Circle")
        assert ctor is not None and ctor.kind == types.SymbolKind.Constructor
        assert await incoming(client, ctor) == {
            ("Main.java", "main", (line(main, "new Circle(2.0)"), line(main, "new Circle(Circle.MAX_RADIUS)"))),
            ("Circle.java", "scaled", (line(circle, "new Circle(radius * factor)"),))}
        # extends/implements, both ways
        c = await type_item(client, circle, "public class Circle", "Circle")
        assert await supers(client, c) == {"Shape"}
        assert await subs(client, await type_item(client, shape, "public interface Shape", "Shape")) == {"Circle"}


async def test_rust(tmp_path):
    shop = copy_fixture("rust", tmp_path / "shop")
    util, store, lib = shop / "src/util.rs", shop / "src/store/mod.rs", shop / "src/lib.rs"
    async with running(shop, tmp_path / "cache") as client:
        title = await prepare(client, util, "pub fn title", "title")
        assert await incoming(client, title) == {("mod.rs", "label", (line(store, "crate::util::title"),))}
        assert await outgoing(client, title) == {("util.rs", "clip")}
        # a call by path through a renaming `pub use`, and an associated function
        opened = await prepare(client, lib, "pub fn open", "open")
        assert await outgoing(client, opened) == {("mod.rs", "new"), ("mod.rs", "free")}
        new = await prepare(client, lib, "Inventory::new(name)", "new")
        assert new is not None and new.uri == store.as_uri()
        assert await incoming(client, new) == {("lib.rs", "open", (line(lib, "Inventory::new(name)"),))}
        # traits: `impl Area for Shape` both ways; a struct with inherent impls only has none
        shape = await type_item(client, lib, "pub enum Shape", "Shape")
        assert await supers(client, shape) == {"Area"}
        area = await type_item(client, lib, "pub trait Area", "Area")
        assert await subs(client, area) == {"Shape"}
        assert await supers(client, await type_item(client, store, "pub struct Store", "Store")) == set()
