use crate::errors::invalid;
use crate::plugin::NutorchPlugin;
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{Example, LabeledError, PipelineData, Signature, Spanned, SyntaxShape, Type, Value};

/// `nutorch alias-module [prefix]`: a Nushell module that shortens `nutorch <verb>` to
/// `<prefix> <verb>`.
pub struct AliasModule;

/// The module text for `prefix`, one alias per command of the plugin.
pub fn module_source(prefix: &str) -> String {
    let mut names: Vec<String> = super::all().iter().map(|c| c.name().to_string()).collect();
    names.sort();
    let mut text = format!(
        "# Short names for nutorch: `{prefix} <verb>` is `nutorch <verb>`.\n\
         # Save as a file and import it: nutorch alias-module {prefix} | save -f {prefix}.nu; use {prefix}.nu *\n"
    );
    // `nutorch` itself gets no alias: a module cannot export an alias named like itself
    // (`nt` in nt.nu), and the verbs are what the prefix is for.
    for name in names {
        if let Some(verb) = name.strip_prefix("nutorch ") {
            text.push_str(&format!("export alias \"{prefix} {verb}\" = {name}\n"));
        }
    }
    text
}

impl PluginCommand for AliasModule {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch alias-module"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![(Type::Nothing, Type::String)])
            .optional("prefix", SyntaxShape::String, "the short name (default nt)")
            .category(super::category())
    }

    fn description(&self) -> &str {
        "A Nushell module of aliases `<prefix> <verb>` for every `nutorch <verb>` (like `import torch as nt`)."
    }

    fn extra_description(&self) -> &str {
        "Save it and import it: `nutorch alias-module | save -f nt.nu; use nt.nu *`, then \
         `nt linspace 0 10 10` is `nutorch linspace 0 10 10`. Aliases keep flags and help."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["alias", "import torch as", "shorter", "prefix"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "(nutorch alias-module nt) =~ 'export alias \"nt linspace\" = nutorch linspace'",
            description: "The module makes `nt linspace` mean `nutorch linspace`",
            result: Some(Value::test_bool(true)),
        }]
    }

    fn run(
        &self,
        _plugin: &NutorchPlugin,
        _engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let prefix = match call.opt::<Spanned<String>>(0)? {
            Some(Spanned { item: text, span }) => {
                if text.is_empty() || !text.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-') {
                    return Err(invalid("the prefix must be a plain word (letters, digits, _ or -)", span));
                }
                text
            }
            None => "nt".into(),
        };
        Ok(PipelineData::Value(Value::string(module_source(&prefix), call.head), None))
    }
}
