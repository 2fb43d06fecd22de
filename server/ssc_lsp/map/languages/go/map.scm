; Go captures for the map's extractor (extract.py beside this file walks each top-level
; declaration it is given; the capture names say what the declaration is).
(package_clause) @decl.package
(import_declaration) @decl.import
(function_declaration) @decl.function
(method_declaration) @decl.method
(type_declaration) @decl.type
(const_declaration) @decl.const
(var_declaration) @decl.var
