/*
 * sitejobs site runtime: renders a published page's custom components in the browser, the way Oracle Content
 * Management's renderer does for a site. RequireJS loads it as the page's main module (the layout's
 * `<script data-main=".../renderer.js" src=".../require.js">`); it reads the page's controller data from
 * `window.SCS` (written by publish), offers components the APIs they call (SCSRenderAPI, SitesSDK,
 * SCSComponentAPI, the `scs-components/comp/*` modules, the `css!` plugin) and renders every
 * `.scs-custom-component[data-scs-app]` wrapper with the component's own `assets/render.js`.
 * Each wrapper ends with `data-scs-state` "rendered" or "failed" (and the reason in `data-scs-error`).
 */
/* global requirejs, require, define */
(function () {
	'use strict';

	var SCS = window.SCS = window.SCS || {};
	var structureMap = SCS.structureMap = SCS.structureMap || {};
	var prefix = SCS.sitePrefix || '';
	var absolute = function (path) {
		return new URL(path, document.baseURI).href;
	};
	var rendererUrl = absolute(prefix + '_sitesclouddelivery/renderer/');
	SCS.sitePrefix = prefix;
	SCS.renderMode = SCS.renderMode || 'navigate';
	SCS.siteRootUrl = absolute(prefix || './');

	requirejs.config({
		baseUrl: rendererUrl,
		paths: {
			knockout: 'libs/knockout',
			mustache: 'libs/mustache',
			text: 'libs/text',
			_compdelivery: absolute(prefix + '_compdelivery')
		},
		waitSeconds: 60
	});
	if (typeof window.jQuery === 'function') {
		// the theme's jQuery, which has the theme's plugins (Bootstrap): components expect that one
		define('jquery', [], function () {
			return window.jQuery;
		});
	} else {
		requirejs.config({ paths: { jquery: 'libs/jquery' } });
	}

	define('css', [], function () {
		return {
			load: function (name, req, onload) {
				var link = document.createElement('link');
				link.rel = 'stylesheet';
				link.href = req.toUrl(name);
				link.onload = function () { onload(link); };
				link.onerror = function () { onload.error(new Error('stylesheet ' + link.href + ' did not load')); };
				document.head.appendChild(link);
			}
		};
	});

	// ---- pages and links -------------------------------------------------------------------------------------

	var pageHref = function (pageId) {
		var node = structureMap[pageId];
		if (!node) {
			return '';
		}
		if (node.linkUrl) {
			return node.linkUrl;
		}
		return (SCS.pagePrefix || '') + encodeURI(node.pageUrl || '');
	};

	var pageLinkData = function (pageId) {
		var node = structureMap[pageId];
		return node ? { href: pageHref(pageId), target: node.linkTarget || '', hideInNavigation: !!node.hideInNavigation } : null;
	};

	var unavailable = function (what) {
		return Promise.reject(new Error(what + ' needs the Content Management content API, which this server does not offer'));
	};

	var contentClient = {
		getItem: function () { return unavailable('getItem'); },
		getItems: function () { return unavailable('getItems'); },
		queryItems: function () { return unavailable('queryItems'); },
		searchItems: function () { return unavailable('searchItems'); },
		getRenditionURL: function () { return ''; },
		expandMacros: function (value) { return value; }
	};

	var renderApi = window.SCSRenderAPI = {
		getPageLinkData: pageLinkData,
		getPageLinkUrl: pageHref,
		getRenderMode: function () { return SCS.renderMode; },
		getSiteProperty: function (name) { return (SCS.siteProperties || {})[name]; },
		getPageModel: function () { return SCS.pageModel; },
		getComponentInstance: function (id) { return ((SCS.pageModel || {}).componentInstances || {})[id]; },
		addComponentToPageModel: function () { return ''; },
		renderComponentInstance: function () { },
		getContentClient: function () { return contentClient; }
	};

	define('scs-components/comp/component-context', [], function () {
		return {
			getRenderApi: function () { return renderApi; },
			caasApi: {
				getContentClient: function () { return contentClient; },
				getContentCategoriesForType: function (type, callback, errorCallback) {
					if (typeof errorCallback === 'function') {
						errorCallback(null, 'error', 'content categories need the content API');
					}
				}
			}
		};
	});

	define('scs-components/comp/components-default', [], function () {
		var layouts = ['scs-sl-horizontal', 'scs-sl-vertical', 'scs-sl-two-columns', 'scs-sl-three-columns', 'scs-sl-tabs', 'scs-sl-slider'];
		return {
			components: [{
				name: 'COMP_CONFIG_SECTION_LAYOUTS_CATEGORY_NAME',
				list: layouts.map(function (id) { return { id: id, type: 'scs-sectionlayout' }; })
			}]
		};
	});

	// ---- what a component instance is handed -----------------------------------------------------------------

	var MESSAGE_TYPES = {
		SETTINGS_UPDATED: 'scsSettingsUpdated',
		EXECUTE_ACTION: 'scsExecuteAction',
		TRIGGER_ACTIONS: 'scsTriggerActions',
		COMPONENT_STATE_CHANGED: 'scsComponentStateChanged',
		SELECTION_CHANGED: 'scsSelectionChanged'
	};

	var sitesSdk = function (instance) {
		var data = instance.data || {};
		return {
			MESSAGE_TYPES: MESSAGE_TYPES,
			getProperty: function (name, callback) {
				var value = data[name];
				if (name === 'customSettingsData' && (value === '' || value === undefined || value === null)) {
					value = {};
				}
				if (typeof callback === 'function') {
					callback(value);
				}
				return value;
			},
			setProperty: function (name, value) { data[name] = value; },
			subscribe: function () { },
			publish: function () { },
			getSiteInfo: function () { return { siteId: SCS.siteId, currentPageId: SCS.navigationCurr }; }
		};
	};

	var componentApi = function (mustache) {
		return {
			loadResource: function (args) {
				var url = String(args.path).replace(/\/$/, '') + '/' + args.resource;
				return fetch(url).then(function (response) {
					if (!response.ok) {
						throw new Error(url + ': ' + response.status);
					}
					return response.text();
				});
			},
			getMustache: function () { return mustache; },
			getMustacheTags: function () { return {}; },
			getSiteInfo: function () {
				return {
					siteId: SCS.siteId,
					structureMap: structureMap,
					navigationRoot: SCS.navigationRoot,
					currentPageId: SCS.navigationCurr
				};
			},
			getPageInfo: function () { return { id: SCS.navigationCurr, properties: (SCS.pageModel || {}).properties || {} }; },
			createPageLink: pageLinkData,
			getRenderMode: function () { return SCS.renderMode; },
			getContentClient: function () { return contentClient; }
		};
	};

	// ---- rendering -------------------------------------------------------------------------------------------

	var finish = function (wrapper, error) {
		if (error) {
			wrapper.setAttribute('data-scs-state', 'failed');
			wrapper.setAttribute('data-scs-error', String((error && error.message) || error));
			if (window.console) {
				window.console.error('component ' + wrapper.getAttribute('data-scs-app') + ' did not render', error);
			}
		} else {
			wrapper.setAttribute('data-scs-state', 'rendered');
		}
	};

	var renderOne = function (wrapper, api) {
		var id = wrapper.getAttribute('data-scs-id');
		var app = wrapper.getAttribute('data-scs-app');
		var instance = renderApi.getComponentInstance(id) || { data: {} };
		var data = instance.data || {};
		var container = wrapper.querySelector('.scs-custom-component-wrapper > div') || wrapper;
		wrapper.setAttribute('data-scs-state', 'loading');
		require(['_compdelivery/' + app + '/assets/render'], function (factory) {
			if (!factory || typeof factory.createComponent !== 'function') {
				finish(wrapper, new Error('render.js of ' + app + ' has no createComponent'));
				return;
			}
			var args = {
				id: id,
				componentId: id,
				mode: 'navigate',
				viewMode: 'navigate',
				layout: data.componentLayout || 'default',
				customSettingsData: data.customSettingsData || {},
				SitesSDK: sitesSdk(instance),
				SCSComponentAPI: api
			};
			try {
				factory.createComponent(args, function (component) {
					Promise.resolve()
						.then(function () { return component.render(container); })
						.then(function () { finish(wrapper); }, function (error) { finish(wrapper, error); });
				});
			} catch (error) {
				finish(wrapper, error);
			}
		}, function (error) {
			finish(wrapper, error);
		});
	};

	var renderAll = function (mustache) {
		var api = componentApi(mustache);
		var wrappers = document.querySelectorAll('.scs-custom-component[data-scs-app]');
		Array.prototype.forEach.call(wrappers, function (wrapper) {
			renderOne(wrapper, api);
		});
	};

	require(['mustache'], renderAll, function () {
		renderAll(null);
	});
}());
