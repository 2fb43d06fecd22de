; JavaScript's names: every identifier is a definition, a binding or a use by its place in the
; tree (extract.py decides); names after a dot, in a class body or an object are @member.
(identifier) @name
(shorthand_property_identifier) @name
(shorthand_property_identifier_pattern) @name
(property_identifier) @member
(private_property_identifier) @member
