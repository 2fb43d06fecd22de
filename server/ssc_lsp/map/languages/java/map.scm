; Java captures for the map's extractor (extract.py beside this file walks each top-level
; declaration it is given; the capture names say what the declaration is).
(package_declaration) @decl.package
(import_declaration) @decl.import
(class_declaration) @decl.type
(interface_declaration) @decl.type
(enum_declaration) @decl.type
(record_declaration) @decl.type
(annotation_type_declaration) @decl.type
